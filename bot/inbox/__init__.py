"""The inbox: updates stored before they are acknowledged, then processed in chat order."""
