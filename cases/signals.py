"""Signals the cases app sends for others to follow (the API's change feed).

``person_pseudonymised``: a person record was pseudonymised or erased (retention
after exit, or an early erasure by the programme team). Sent inside the
transaction that did it, with ``person`` and ``case``; receivers that write must
write in the same transaction, so the tombstone and the erasure commit together.

``emergency_access_opened``: a regisseur broke the glass on a case. Sent inside
the transaction that recorded it, with ``access`` (an EmergencyAccess); the
programme team is told (monitoring's notifications).

``notification_letter_received``: the signed notification letter came with its file.
Sent inside the transaction that records the signing, with ``case``, ``letter`` (an
UploadedFile), ``signed_on`` and ``by``; the documents app stores it as the case's
"notificatiebrief" (documents/receivers.py). A receiver's refusal (a ValidationError,
a RuleViolation) is raised to the sender and refuses the whole step.

``data_generated``: the synthetic data generator (``sampledata``, never installed in
production) wrote rows in bulk with the row triggers off. Sent in its transaction
with ``tables`` (the database tables it wrote to); the API fills its change feed
from it. The signal lives here so that the API need not import the generator.
"""

from django.dispatch import Signal

person_pseudonymised = Signal()
emergency_access_opened = Signal()
data_generated = Signal()
notification_letter_received = Signal()
