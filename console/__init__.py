"""The agent console: an aiohttp app (own process) where people take over from the bot.

`console.app.create_app` is the factory; `python -m console` (or `socialcare console`)
serves it; `socialcare console-user add NAME --role supervisor` creates the first user.
"""
