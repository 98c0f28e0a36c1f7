"""syncplan: a runner-who-lifts training week, checked and laid out as calendar events."""

__version__ = "0.1.0"
