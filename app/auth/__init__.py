"""Sign-in (password, TOTP, lockout) and who may see which page; the cookies themselves are ``app.web.session``."""
