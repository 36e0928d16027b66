package api

import (
	"bytes"
	"encoding/csv"
)

// utf8BOM starts every CSV the service writes. Excel reads a CSV without it in the system's legacy
// code page ("SÃ£o Paulo"); with it, Excel and LibreOffice read UTF-8, and GDAL, pandas and
// Python's utf-8-sig codec skip it. CSV is served for spreadsheets, so the mark is always there.
const utf8BOM = "\ufeff"

// newSpreadsheetCSV returns a buffer holding the byte order mark and a CSV writer on it. Cells may
// hold line breaks (sources one per line); the writer quotes them.
func newSpreadsheetCSV() (*bytes.Buffer, *csv.Writer) {
	buf := bytes.NewBufferString(utf8BOM)
	return buf, csv.NewWriter(buf)
}
