"""popup-tierslieu: turn one laptop into a pop-up tiers-lieu."""

__version__ = "0.1.0"
