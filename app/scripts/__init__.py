"""The bot's texts: the catalogue the bot answers from, and the coordinators' pages to edit, preview and record them."""
