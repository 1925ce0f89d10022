"""Things a user does that span the store and the video engine (adding videos, relinking...)."""
