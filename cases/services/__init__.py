"""Write services of the cases app, one module per part of the workflow."""
