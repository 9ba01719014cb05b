"""Map outputs: values and legends, geometry, labels, OGC features, images, notebooks."""
