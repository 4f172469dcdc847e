"""The design editor: a draft of one course, its live view, the form and the widget."""
