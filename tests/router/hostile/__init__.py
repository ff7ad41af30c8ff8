"""The hostile-query corpus (issue 12): documents that would cost the router a lot, each
refused with its code through the real router app over the project's subgraphs."""
