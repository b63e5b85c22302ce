"""The media pipeline, across upstreams: ``download_media`` and post-processing.

``download.py`` goes from a title to a running download in one call (TMDB,
Watchmode, Jackett, qBittorrent); ``postprocess.py`` files a finished download
into the library (CloudCmd, qBittorrent, Jellyfin).  Both use what the
upstream packages export (their actions, cached reads and options), never
their entities.
"""
