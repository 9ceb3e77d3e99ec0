"""Work on members' media that handlers may not do themselves (downloads, decoding)."""
