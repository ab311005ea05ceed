"""The seed data (seeds/) that tests lean on, by slug."""

from __future__ import annotations

# A pledged commitment of the PCC (alan-billings) with a quantity: 62 staff.
ITEM = "pcc-62-additional-cse-staff"
# A commitment without a quantity, so without progress.
ITEM_WITHOUT_QUANTITY = "pcc-victims-and-survivors-panel"
# The PCC's live-update page, and a sentence of it that a new item can quote.
SOURCE = "rotherham-cse-live-updates-pcc"
QUOTE = "I have also formed a victims and survivors panel"
ACTOR = "alan-billings"
# One item of each kind: slug and kind.
ITEM_OF_EACH_KIND = {
    ITEM: "commitment",
    "gov-prison-for-officials-who-fail-children": "proposal",
    "ipcc-allegation-naked-images-group-offending": "allegation",
}
