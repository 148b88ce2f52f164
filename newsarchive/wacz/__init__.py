"""WACZ packages: a selection of the archive handed over in the format web archives exchange (README, "Hand-over").

package:    the ZIP, hashed as it is written, with datapackage.json
requisites: what a captured page uses (stylesheets, scripts, icons, images; url() in stylesheets)
captures:   finding captures in the store's index and copying their records byte for byte
export:     records in, a validated-format WACZ out
"""
