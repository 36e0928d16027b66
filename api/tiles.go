package api

// registerTileRoutes registers the tile and TileJSON endpoints.
func (s *Server) registerTileRoutes() {}

// extraPaths documents the tile endpoints in the OpenAPI document.
func (s *Server) extraPaths() object { return nil }
