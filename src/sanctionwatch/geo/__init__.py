"""geo: port gazetteer (WPI + additions), destination resolution, sanctioned-area polygons, distance helpers."""
