"""Whole-project runs through a Kedro session or the kedro command, in temporary copies."""
