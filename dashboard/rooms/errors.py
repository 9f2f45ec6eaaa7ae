"""The one error a room raises for a request it cannot carry out."""


class RoomError(ValueError):
    """A request a room cannot carry out; the message is one line naming the field."""
