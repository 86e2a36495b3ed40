import MediabaseModel


/// The OpenAPI 3 document served at `/openapi.json`, written by hand from docs/spec.md §10: every path,
/// parameter, response shape and error of the API.
enum OpenAPIDocument {
    static let json = """
    {
      "openapi": "3.0.3",
      "info": {
        "title": "mediabase serve",
        "version": "\(MediabaseVersion.current)",
        "description": "The MEDIABASE v0.6 API answered read-only from mediabase's SQLite outputs: a core made by `mediabase convert --to sqlite` and patient files made by `mediabase patients --to sqlite`. Patient ids match ^[A-Za-z][A-Za-z0-9_]{0,62}$ and are matched without regard to case. Errors are {\\"detail\\": ...}: 400 for a bad parameter or body, 404 for an unknown patient, transcript or path, 405 for a method other than GET, 413 for a body over 1 MB."
      },
      "servers": [{"url": "http://127.0.0.1:8000"}],
      "paths": {
        "/health": {
          "get": {
            "summary": "Whether the server can read its core",
            "operationId": "health",
            "responses": {
              "200": {"description": "The core answers", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
              "503": {"description": "The core does not answer", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}
            }
          }
        },
        "/api/v1/transcripts": {
          "get": {
            "summary": "Transcripts with a patient's fold change (or the core's own), fold change descending then transcript id",
            "description": "gene_symbols and transcript_ids may also be sent as fields of a JSON body of the GET (a list of strings or a comma-separated string); they are merged with the query's. Given both, a transcript must match both.",
            "operationId": "listTranscripts",
            "parameters": [
              {"$ref": "#/components/parameters/PatientId"},
              {"$ref": "#/components/parameters/GeneSymbols"},
              {"$ref": "#/components/parameters/TranscriptIds"},
              {"$ref": "#/components/parameters/FoldChangeMin"},
              {"$ref": "#/components/parameters/FoldChangeMax"},
              {"name": "has_drugs", "in": "query", "description": "Only transcripts whose gene has (true) or has no (false) drug interaction", "schema": {"type": "boolean"}},
              {"name": "has_pathways", "in": "query", "description": "Only transcripts whose gene is (true) or is not (false) in a pathway", "schema": {"type": "boolean"}},
              {"$ref": "#/components/parameters/Limit"},
              {"$ref": "#/components/parameters/Offset"}
            ],
            "requestBody": {
              "required": false,
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NameLists"}}}
            },
            "responses": {
              "200": {"description": "One page of transcripts", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Transcript"}}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "404": {"$ref": "#/components/responses/NotFound"},
              "413": {"$ref": "#/components/responses/TooLarge"},
              "503": {"$ref": "#/components/responses/TimedOut"}
            }
          }
        },
        "/api/v1/transcripts/{transcript_id}": {
          "get": {
            "summary": "One transcript",
            "operationId": "getTranscript",
            "parameters": [
              {"name": "transcript_id", "in": "path", "required": true, "schema": {"type": "string"}},
              {"$ref": "#/components/parameters/PatientId"}
            ],
            "responses": {
              "200": {"description": "The transcript", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Transcript"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "404": {"$ref": "#/components/responses/NotFound"},
              "503": {"$ref": "#/components/responses/TimedOut"}
            }
          }
        },
        "/api/v1/patients": {
          "get": {
            "summary": "The patients of the served folder, ordered by patient id",
            "operationId": "listPatients",
            "responses": {
              "200": {"description": "The patients", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PatientList"}}}},
              "503": {"$ref": "#/components/responses/TimedOut"}
            }
          }
        },
        "/api/v1/patients/compare": {
          "get": {
            "summary": "Per transcript, each patient's fold change (1.0 where none is stored), ordered by transcript id",
            "description": "The transcripts at least one of the patients stores, or every named transcript when gene_symbols or transcript_ids are given. A transcript passes the fold-change bounds when any patient's value is within them. Any number of patients.",
            "operationId": "comparePatients",
            "parameters": [
              {"name": "patient_ids", "in": "query", "required": true, "description": "Comma-separated patient ids, each at most once", "schema": {"type": "string"}, "example": "PATIENT123,PATIENT456"},
              {"$ref": "#/components/parameters/GeneSymbols"},
              {"$ref": "#/components/parameters/TranscriptIds"},
              {"$ref": "#/components/parameters/FoldChangeMin"},
              {"$ref": "#/components/parameters/FoldChangeMax"},
              {"$ref": "#/components/parameters/Limit"},
              {"$ref": "#/components/parameters/Offset"}
            ],
            "requestBody": {
              "required": false,
              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NameLists"}}}
            },
            "responses": {
              "200": {"description": "The comparison", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Comparison"}}}},
              "400": {"$ref": "#/components/responses/BadRequest"},
              "404": {"$ref": "#/components/responses/NotFound"},
              "413": {"$ref": "#/components/responses/TooLarge"},
              "503": {"$ref": "#/components/responses/TimedOut"}
            }
          }
        },
        "/api/v1/stats": {
          "get": {
            "summary": "Counts and annotation coverage of the core",
            "operationId": "stats",
            "responses": {
              "200": {"description": "The figures", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Stats"}}}}
            }
          }
        },
        "/openapi.json": {
          "get": {
            "summary": "This document",
            "operationId": "openapi",
            "responses": {"200": {"description": "The OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}}
          }
        }
      },
      "components": {
        "parameters": {
          "PatientId": {"name": "patient_id", "in": "query", "description": "The patient whose fold changes are answered; without it, the core's own", "schema": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]{0,62}$"}, "example": "PATIENT123"},
          "GeneSymbols": {"name": "gene_symbols", "in": "query", "description": "Comma-separated gene symbols (exact match)", "schema": {"type": "string"}, "example": "ERBB2,EGFR"},
          "TranscriptIds": {"name": "transcript_ids", "in": "query", "description": "Comma-separated transcript ids", "schema": {"type": "string"}},
          "FoldChangeMin": {"name": "fold_change_min", "in": "query", "description": "Inclusive lower bound of the fold change", "schema": {"type": "number", "minimum": 0}},
          "FoldChangeMax": {"name": "fold_change_max", "in": "query", "description": "Inclusive upper bound of the fold change", "schema": {"type": "number", "minimum": 0}},
          "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000, "default": 100}},
          "Offset": {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "default": 0}}
        },
        "responses": {
          "BadRequest": {"description": "A malformed parameter or body", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "NotFound": {"description": "No such patient, transcript or path", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "TooLarge": {"description": "A request body over 1 MB", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
          "TimedOut": {"description": "The request's queries ran past the server's time limit and were stopped", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "Error": {"type": "object", "required": ["detail"], "properties": {"detail": {"type": "string"}}},
          "Health": {
            "type": "object",
            "required": ["status", "version", "database_connected"],
            "properties": {"status": {"type": "string", "enum": ["healthy", "unhealthy"]}, "version": {"type": "string"}, "database_connected": {"type": "boolean"}}
          },
          "NameLists": {
            "type": "object",
            "additionalProperties": false,
            "properties": {
              "gene_symbols": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]},
              "transcript_ids": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]}
            }
          },
          "GoTerm": {
            "type": "object",
            "required": ["go_id", "name", "category"],
            "properties": {"go_id": {"type": "string"}, "name": {"type": "string", "nullable": true}, "category": {"type": "string", "nullable": true}}
          },
          "Drug": {
            "type": "object",
            "required": ["drug_id", "interaction_type", "source"],
            "properties": {"drug_id": {"type": "string", "nullable": true}, "interaction_type": {"type": "string"}, "source": {"type": "string"}}
          },
          "Transcript": {
            "type": "object",
            "required": ["transcript_id", "gene_symbol", "gene_id", "gene_type", "chromosome", "expression_fold_change", "product_type", "go_terms", "pathways", "drugs", "molecular_functions", "cellular_location"],
            "properties": {
              "transcript_id": {"type": "string"},
              "gene_symbol": {"type": "string", "nullable": true},
              "gene_id": {"type": "string"},
              "gene_type": {"type": "string", "nullable": true},
              "chromosome": {"type": "string", "nullable": true},
              "expression_fold_change": {"type": "number", "description": "The patient's value, 1.0 where none is stored; without patient_id the core's own"},
              "product_type": {"type": "array", "items": {"type": "string"}},
              "go_terms": {"type": "array", "items": {"$ref": "#/components/schemas/GoTerm"}},
              "pathways": {"type": "array", "items": {"type": "string"}},
              "drugs": {"type": "object", "description": "By drug name as stored", "additionalProperties": {"$ref": "#/components/schemas/Drug"}},
              "molecular_functions": {"type": "array", "items": {"type": "string"}},
              "cellular_location": {"type": "array", "items": {"type": "string"}}
            }
          },
          "Patient": {
            "type": "object",
            "required": ["patient_id", "schema_name", "expression_data_count", "created_at"],
            "properties": {
              "patient_id": {"type": "string"},
              "schema_name": {"type": "string", "description": "patient_<id lower-cased>"},
              "expression_data_count": {"type": "integer", "description": "Stored fold changes (those not 1.0)"},
              "created_at": {"type": "string", "nullable": true, "description": "The metadata's upload_date"},
              "upload_date": {"type": "string"},
              "source_file": {"type": "string", "nullable": true},
              "file_format": {"type": "string", "nullable": true},
              "normalization_method": {"type": "string", "nullable": true},
              "total_transcripts_uploaded": {"type": "integer"},
              "transcripts_matched": {"type": "integer"},
              "transcripts_unmatched": {"type": "integer"},
              "matching_success_rate": {"type": "number", "nullable": true},
              "clinical_notes": {"type": "string", "nullable": true},
              "cancer_type": {"type": "string", "nullable": true},
              "cancer_subtype": {"type": "string", "nullable": true},
              "tissue_type": {"type": "string", "nullable": true},
              "sample_type": {"type": "string", "nullable": true},
              "sequencing_platform": {"type": "string", "nullable": true},
              "read_depth_millions": {"type": "number", "nullable": true}
            }
          },
          "PatientList": {
            "type": "object",
            "required": ["count", "patients"],
            "properties": {"count": {"type": "integer"}, "patients": {"type": "array", "items": {"$ref": "#/components/schemas/Patient"}}}
          },
          "Comparison": {
            "type": "object",
            "required": ["patients", "transcripts"],
            "properties": {
              "patients": {"type": "array", "items": {"type": "string"}, "description": "The patient ids as given"},
              "transcripts": {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["transcript_id", "gene_symbol", "gene_id", "fold_changes"],
                  "properties": {
                    "transcript_id": {"type": "string"},
                    "gene_symbol": {"type": "string", "nullable": true},
                    "gene_id": {"type": "string"},
                    "fold_changes": {"type": "object", "description": "Patient id as given: fold change", "additionalProperties": {"type": "number"}}
                  }
                }
              }
            }
          },
          "Stats": {
            "type": "object",
            "properties": {
              "total_transcripts": {"type": "integer"},
              "unique_genes": {"type": "integer", "description": "Distinct genes of the transcripts"},
              "genes_with_drugs": {"type": "integer"},
              "genes_with_pathways": {"type": "integer"},
              "genes_with_product_types": {"type": "integer"},
              "transcripts_with_go_terms": {"type": "integer"},
              "drug_coverage": {"type": "number", "description": "genes_with_drugs / unique_genes, percent, 2 decimals"},
              "pathway_coverage": {"type": "number", "description": "genes_with_pathways / unique_genes, percent"},
              "product_type_coverage": {"type": "number", "description": "genes_with_product_types / unique_genes, percent"},
              "go_term_coverage": {"type": "number", "description": "transcripts_with_go_terms / total_transcripts, percent"}
            }
          }
        }
      }
    }
    """
}
