"""Reading what a person typed into a number field: a whole number, or a message naming the field.

Solara's ``InputInt`` keeps its last valid value while the text is not a number, so a button
pressed then would act on a value the page no longer shows. The pages read such fields as
text and convert them when the button is pressed, with :func:`whole_number`.
"""

from __future__ import annotations


def whole_number(field: str, text: str) -> int:
    """The whole number ``text`` spells (spaces around it allowed).

    Args:
        field: the field's name, for the message.
        text: what was typed.

    Raises:
        ValueError: ``text`` is not a whole number; the message names the field.
    """
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError(f"{field}: {text!r} is not a whole number") from None
