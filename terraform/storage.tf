# Raw drops. Never rewritten by the platform; versioned so an accidental overwrite or delete can be undone.
resource "google_storage_bucket" "bronze" {
  name                        = "${var.project_id}-bronze"
  location                    = upper(var.region)
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.force_destroy

  versioning {
    enabled = true
  }

  # Raw files are read again only on a replay: move them to a colder class.
  lifecycle_rule {
    condition {
      age                   = var.bronze_nearline_after_days
      matches_storage_class = ["STANDARD"]
    }
    action {
      type          = "SetStorageClass"
      storage_class = "NEARLINE"
    }
  }

  # Replaced or deleted versions are kept for a while, then deleted.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.bronze_noncurrent_retention_days
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 7
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  depends_on = [google_project_service.api]
}

# bronze/, silver/, gold/, quarantine/, features/ and embeddings/ Parquet.
resource "google_storage_bucket" "lake" {
  name                        = "${var.project_id}-lake"
  location                    = upper(var.region)
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.force_destroy

  lifecycle_rule {
    condition {
      age            = var.quarantine_retention_days
      matches_prefix = ["quarantine/"]
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.api]
}

# Model artifacts and the model registry; versioned so a previous model can be restored.
resource "google_storage_bucket" "models" {
  name                        = "${var.project_id}-models"
  location                    = upper(var.region)
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.force_destroy

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      num_newer_versions = 10
      with_state         = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.api]
}

# Source archives uploaded by `gcloud builds submit --gcs-source-staging-dir gs://<project>-build/source`.
resource "google_storage_bucket" "build" {
  name                        = "${var.project_id}-build"
  location                    = upper(var.region)
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true

  lifecycle_rule {
    condition {
      age = 7
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.api]
}

resource "google_bigquery_dataset" "dataset" {
  for_each                    = local.datasets
  dataset_id                  = each.key
  description                 = each.value
  location                    = var.region
  default_table_expiration_ms = lookup(local.dataset_table_expiration_ms, each.key, null)
  delete_contents_on_destroy = var.force_destroy
  depends_on                 = [google_project_service.api]
}

# Event claims (exactly-once effects) and the online feature store.
resource "google_firestore_database" "main" {
  name            = var.firestore_database
  location_id     = coalesce(var.firestore_location, var.region)
  type            = "FIRESTORE_NATIVE"
  deletion_policy = var.force_destroy ? "DELETE" : "ABANDON"
  depends_on      = [google_project_service.api]
}

# Online feature documents expire at their expire_at timestamp; the field is not indexed (TTL fields should not be).
resource "google_firestore_field" "online_ttl" {
  database   = google_firestore_database.main.name
  collection = local.online_collection
  field      = local.online_ttl_field

  ttl_config {}

  index_config {}
}

resource "google_artifact_registry_repository" "images" {
  repository_id = var.repository
  location      = var.region
  format        = "DOCKER"
  description   = "OpenTrace function images, tagged with the commit they were built from."

  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 20
    }
  }

  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "2592000s"
    }
  }

  depends_on = [google_project_service.api]
}

# The key silver pseudonymises PII with (HMAC-SHA256). Terraform creates the secret but never its value:
#   openssl rand -base64 32 | tr -d '\n' | gcloud secrets versions add <prefix>-pii-key --data-file=-
resource "google_secret_manager_secret" "pii_key" {
  secret_id = "${var.prefix}-pii-key"
  labels    = { purpose = "pii-pseudonymisation" }

  replication {
    auto {}
  }

  depends_on = [google_project_service.api]
}
