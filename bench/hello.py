"""The baseline: a bare Flask app, served on waitress exactly like the portal."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def index() -> str:
    """Say hello; nothing else happens per request."""
    return "hello"
