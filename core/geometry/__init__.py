"""Pure geometry on annotations: painting masks, polygons to masks, hit tests."""
