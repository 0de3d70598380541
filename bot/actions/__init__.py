"""Custom actions of the Aurora Air assistant, one business topic per module.

The action server (`rasa run actions --actions bot.actions`) imports every module here;
none does work at import time (the backend and knowledge load on first use).
"""
