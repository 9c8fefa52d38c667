"""The rules of a pop-up tiers-lieu, free of the web and the console.

Each function takes the store (and the kit where the rules depend on it), checks
its input, changes the store and returns plain records. The caller commits.
"""

# The look-ups the domain makes often; the store keeps an index for each (a tuple of
# fields is one index over them together).
INDEXES: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "participants": ("token", "checkin_code", "form_nonce", "companion_of"),
    "checkins": ("participant_id",),
    "registrations": ("workshop_id", "participant_id", ("workshop_id", "status")),
    "seat_bookings": ("slot_id", "participant_id"),
    "swap_posts": ("participant_id",),
    "swap_meetings": ("participant_id", "other_id"),
    "swap_notices": ("participant_id",),
    "desk_requests": ("participant_id",),
    "checklist_ticks": ("day",),
    "notes": ("participant_id",),
    "photos": ("note_id", "participant_id"),
    "captive_clients": ("address",),
}
