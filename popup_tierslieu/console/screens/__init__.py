"""The console's screens; ``app.SECTIONS`` lists those reached by a key."""
