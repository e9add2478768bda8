"""Writers for what people take away: XLSX, CSV, templates (and later DOCX/PDF, maps, charts)."""
