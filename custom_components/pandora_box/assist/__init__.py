"""Pandora Box for assistants: LLM tools (``tools.py``) and Assist sentences (``sentences.py``).

Both call the integration's own actions (``hass.services.async_call``), so
the checks, the translated errors and the answers are those of the actions;
``speech.py`` has what both say about downloads.
"""
