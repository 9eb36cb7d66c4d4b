locals {
  # One entry per function project under functions/ (OpenTrace.Local is the laptop host and is not deployed).
  # The key names the Cloud Run service (<prefix>-<key>), its service account and its image (<repository>/<key>).
  # bronze and silver stream large files: few requests per instance, plenty of memory, the longest timeout.
  # gold, features and train are batch runs started by Cloud Scheduler: one at a time.
  # serve answers the public API: short requests, many at once, reached over HTTP (see serve_public).
  functions = {
    bronze   = { project = "OpenTrace.Functions.Bronze", cpu = "2", memory = "2Gi", concurrency = 2, timeout = "3600s", min_instances = 0, max_instances = 10 }
    silver   = { project = "OpenTrace.Functions.Silver", cpu = "2", memory = "2Gi", concurrency = 2, timeout = "3600s", min_instances = 0, max_instances = 10 }
    gold     = { project = "OpenTrace.Functions.Gold", cpu = "1", memory = "1Gi", concurrency = 1, timeout = "3600s", min_instances = 0, max_instances = 1 }
    features = { project = "OpenTrace.Functions.Features", cpu = "2", memory = "2Gi", concurrency = 1, timeout = "3600s", min_instances = 0, max_instances = 1 }
    train    = { project = "OpenTrace.Functions.Train", cpu = "2", memory = "4Gi", concurrency = 1, timeout = "3600s", min_instances = 0, max_instances = 1 }
    serve    = { project = "OpenTrace.Functions.Serve", cpu = "1", memory = "1Gi", concurrency = 40, timeout = "120s", min_instances = var.serve_min_instances, max_instances = 20 }
  }

  # Which bucket's object.finalized events each event-driven function receives.
  eventarc_sources = {
    bronze = "bronze"
    silver = "lake"
  }

  # Functions Cloud Scheduler starts (schedules in var.schedules).
  scheduled_functions = ["gold", "features", "train"]

  # Warehouse datasets; the names are fixed by the code (OpenTrace.Core.Datasets).
  datasets = {
    bronze       = "Raw rows as text with lineage, append-only."
    silver       = "Typed, cleaned, deduplicated rows, merged by key."
    gold_staging = "Gold models built and tested here before they are published to gold; a failed build stays for inspection."
    gold         = "Published models: star schema and KPIs."
    features     = "Offline feature history."
    ops          = "Runs, quality events, quarantine and watermarks."
  }

  # Tables in these datasets expire on their own (a failed build's staging table is kept a week, then dropped).
  dataset_table_expiration_ms = {
    gold_staging = 7 * 24 * 60 * 60 * 1000
  }

  # Settings read from Secret Manager: environment variable => secret, per function that needs it.
  # Silver pseudonymises PII with a keyed HMAC; the key never appears in the repository or in terraform state.
  secret_environment = {
    silver = { OpenTrace__PiiKey = google_secret_manager_secret.pii_key.secret_id }
  }

  # Online feature store in Firestore: documents of this collection group expire at their expire_at timestamp.
  online_collection = "online_features"
  online_ttl_field  = "expire_at"

  secret_ids = {
    pii_key = google_secret_manager_secret.pii_key.id
  }

  bucket_names = {
    bronze = google_storage_bucket.bronze.name
    lake   = google_storage_bucket.lake.name
    models = google_storage_bucket.models.name
    build  = google_storage_bucket.build.name
  }

  image_repository  = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
  placeholder_image = "us-docker.pkg.dev/cloudrun/container/hello"

  # Settings every function reads: OpenTraceOptions and GcpOptions bind the OpenTrace__* ones.
  environment = {
    GOOGLE_CLOUD_PROJECT         = var.project_id
    OpenTrace__ProjectId         = var.project_id
    OpenTrace__Region            = var.region
    OpenTrace__BronzeBucket      = google_storage_bucket.bronze.name
    OpenTrace__LakeBucket        = google_storage_bucket.lake.name
    OpenTrace__ModelsBucket      = google_storage_bucket.models.name
    OpenTrace__BigQueryLocation  = var.region
    OpenTrace__FirestoreDatabase = google_firestore_database.main.name
    OpenTrace__DocumentTtlField  = local.online_ttl_field
    OpenTrace__VertexRegion      = coalesce(var.vertex_region, var.region)
    OpenTrace__EmbeddingModel    = var.embedding_model
    OpenTrace__GenerativeModel   = var.generative_model
  }
}

resource "google_project_service" "api" {
  for_each = toset([
    "aiplatform.googleapis.com",
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "cloudscheduler.googleapis.com",
    "eventarc.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "logging.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ])
  service            = each.key
  disable_on_destroy = false
}

# One identity per function, per Eventarc trigger, for Cloud Scheduler and for Cloud Build deploys.
# What each may do is the grants table in iam.tf.
resource "google_service_account" "account" {
  for_each = {
    bronze           = "OpenTrace bronze function"
    silver           = "OpenTrace silver function"
    gold             = "OpenTrace gold function"
    features         = "OpenTrace features function"
    train            = "OpenTrace train function"
    serve            = "OpenTrace serve function"
    "bronze-trigger" = "Delivers bronze bucket events to the bronze function"
    "silver-trigger" = "Delivers lake bucket events to the silver function"
    scheduler        = "Starts the gold, features and train runs"
    deployer         = "Cloud Build: pushes function images and deploys them"
  }
  account_id   = "${var.prefix}-${each.key}"
  display_name = each.value
  depends_on   = [google_project_service.api]
}
