"""Developer tools: model builders, the demo model, the summariser's training."""
