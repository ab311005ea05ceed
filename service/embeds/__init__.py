"""Embeds: an item's card and an actor's scorecard that other sites may frame, an item's status
badge as SVG, and the oEmbed answer that finds them."""
