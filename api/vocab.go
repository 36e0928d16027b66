package api

import "dcatlas/tileset"

// Media types the service answers with.
const (
	mediaJSON       = "application/json"
	mediaGeoJSON    = "application/geo+json"
	mediaProblem    = "application/problem+json"
	mediaOpenAPI    = "application/vnd.oai.openapi+json;version=3.0"
	mediaSchemaJSON = "application/schema+json"
	mediaCSV        = "text/csv; charset=utf-8"
	mediaHTML       = "text/html; charset=utf-8"
	mediaMVT        = tileset.MediaMVT
	mediaPNG        = tileset.MediaPNG
	mediaSVG        = "image/svg+xml; charset=utf-8"
)

// Link relations used in OGC API – Features documents.
const (
	relSelf        = "self"
	relAlternate   = "alternate"
	relServiceDesc = "service-desc"
	relServiceDoc  = "service-doc"
	relConformance = "conformance"
	relData        = "data"
	relItems       = "items"
	relCollection  = "collection"
	relNext        = "next"
	relPrev        = "prev"
	relQueryables  = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
	// relDescribedBy links a JSON Schema of the features; GDAL 3.6 matches this spelling only.
	relDescribedBy = "describedBy"
)

// conformance lists the conformance classes the service implements.
func conformance() []string {
	return []string{
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
		"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
		"http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
	}
}

// Query parameter names.
const (
	paramBbox         = "bbox"
	paramDatetime     = "datetime"
	paramLimit        = "limit"
	paramOffset       = "offset"
	paramAt           = "at"
	paramStatus       = "status"
	paramProvider     = "provider"
	paramKind         = "kind"
	paramCountry      = "country"
	paramQ            = "q"
	paramSortby       = "sortby"
	paramProperties   = "properties"
	paramSkipGeometry = "skipGeometry"
	paramF            = "f"
	paramDownload     = "download"
	paramUntil        = "until"
	paramBy           = "by"
)

// Query parameters of the static images, beyond the filters of the items endpoint.
const (
	paramCenter = "center"
	paramZoom   = "zoom"
	paramWidth  = "width"
	paramHeight = "height"
	paramScale  = "scale"
	paramLegend = "legend"
	paramLabels = "labels"
	paramTitle  = "title"
)

// Path parameters of tile requests, as problems name them.
const (
	paramLayer  = "layer"
	paramZ      = "z"
	paramX      = "x"
	paramY      = "y"
	paramFormat = "format"
)

// Paging limits of the items endpoint.
const (
	defaultLimit = 100
	maxLimit     = 1000
	maxQueryLen  = 200
)

// collectionID is the one feature collection the service publishes.
const collectionID = "sites"

// Names used by the changes endpoints and the fidelity links.
const (
	mediaAtom = "application/atom+xml"
	// relSchema is OGC's link relation for a collection's feature schema, which newer QGIS follows.
	relSchema = "http://www.opengis.net/def/rel/ogc/1.0/schema"
	paramFrom = "from"
	paramTo   = "to"
)
