"""An HTTP API shaped like Docker's DVP Data API, over the built warehouse."""
