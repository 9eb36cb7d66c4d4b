locals {
  # Least privilege: every role an OpenTrace service account holds, and where it holds it. Nothing else is granted
  # to these accounts (tests/OpenTrace.Deploy.Tests holds the same table and fails on any difference).
  #   principal: a key of google_service_account.account
  #   kind:      project | bucket (bronze, lake, models, build) | dataset (bronze, silver, gold_staging, gold, features, ops)
  #              | secret (pii_key)
  #              | service (a function's Cloud Run service) | repository (the image repository) | account (a function's service account)
  #   target:    which bucket, dataset, service or account; "" for project and repository
  # BigQuery load jobs read their Parquet from the lake with the caller's rights, hence objectViewer beside objectCreator.
  # objectUser (create, read, overwrite, delete) only where a function replaces its own outputs: gold's exports
  # (gold/<domain>/<model>.parquet) and the embeddings manifest with its pruned snapshots.
  grants = [
    { principal = "bronze", kind = "project", target = "", role = "roles/bigquery.jobUser" },
    { principal = "bronze", kind = "project", target = "", role = "roles/datastore.user" },
    { principal = "bronze", kind = "bucket", target = "bronze", role = "roles/storage.objectViewer" },
    { principal = "bronze", kind = "bucket", target = "lake", role = "roles/storage.objectCreator" },
    { principal = "bronze", kind = "bucket", target = "lake", role = "roles/storage.objectViewer" },
    { principal = "bronze", kind = "dataset", target = "bronze", role = "roles/bigquery.dataEditor" },
    { principal = "bronze", kind = "dataset", target = "ops", role = "roles/bigquery.dataEditor" },

    { principal = "silver", kind = "project", target = "", role = "roles/bigquery.jobUser" },
    { principal = "silver", kind = "project", target = "", role = "roles/datastore.user" },
    { principal = "silver", kind = "bucket", target = "lake", role = "roles/storage.objectCreator" },
    { principal = "silver", kind = "bucket", target = "lake", role = "roles/storage.objectViewer" },
    { principal = "silver", kind = "dataset", target = "bronze", role = "roles/bigquery.dataViewer" },
    { principal = "silver", kind = "dataset", target = "silver", role = "roles/bigquery.dataEditor" },
    { principal = "silver", kind = "dataset", target = "ops", role = "roles/bigquery.dataEditor" },
    { principal = "silver", kind = "secret", target = "pii_key", role = "roles/secretmanager.secretAccessor" },

    { principal = "gold", kind = "project", target = "", role = "roles/bigquery.jobUser" },
    { principal = "gold", kind = "bucket", target = "lake", role = "roles/storage.objectUser" },
    { principal = "gold", kind = "dataset", target = "silver", role = "roles/bigquery.dataViewer" },
    { principal = "gold", kind = "dataset", target = "gold_staging", role = "roles/bigquery.dataEditor" },
    { principal = "gold", kind = "dataset", target = "gold", role = "roles/bigquery.dataEditor" },
    { principal = "gold", kind = "dataset", target = "ops", role = "roles/bigquery.dataEditor" },

    { principal = "features", kind = "project", target = "", role = "roles/aiplatform.user" },
    { principal = "features", kind = "project", target = "", role = "roles/bigquery.jobUser" },
    { principal = "features", kind = "project", target = "", role = "roles/datastore.user" },
    { principal = "features", kind = "bucket", target = "lake", role = "roles/storage.objectUser" },
    { principal = "features", kind = "dataset", target = "silver", role = "roles/bigquery.dataViewer" },
    { principal = "features", kind = "dataset", target = "gold", role = "roles/bigquery.dataViewer" },
    { principal = "features", kind = "dataset", target = "features", role = "roles/bigquery.dataEditor" },
    { principal = "features", kind = "dataset", target = "ops", role = "roles/bigquery.dataEditor" },

    { principal = "train", kind = "project", target = "", role = "roles/bigquery.jobUser" },
    { principal = "train", kind = "bucket", target = "models", role = "roles/storage.objectCreator" },
    { principal = "train", kind = "bucket", target = "models", role = "roles/storage.objectViewer" },
    { principal = "train", kind = "dataset", target = "features", role = "roles/bigquery.dataViewer" },
    { principal = "train", kind = "dataset", target = "gold", role = "roles/bigquery.dataViewer" },
    { principal = "train", kind = "dataset", target = "ops", role = "roles/bigquery.dataEditor" },

    { principal = "serve", kind = "project", target = "", role = "roles/aiplatform.user" },
    { principal = "serve", kind = "project", target = "", role = "roles/datastore.viewer" },
    { principal = "serve", kind = "bucket", target = "lake", role = "roles/storage.objectViewer" },
    { principal = "serve", kind = "bucket", target = "models", role = "roles/storage.objectViewer" },

    { principal = "bronze-trigger", kind = "project", target = "", role = "roles/eventarc.eventReceiver" },
    { principal = "bronze-trigger", kind = "service", target = "bronze", role = "roles/run.invoker" },

    { principal = "silver-trigger", kind = "project", target = "", role = "roles/eventarc.eventReceiver" },
    { principal = "silver-trigger", kind = "service", target = "silver", role = "roles/run.invoker" },

    { principal = "scheduler", kind = "service", target = "gold", role = "roles/run.invoker" },
    { principal = "scheduler", kind = "service", target = "features", role = "roles/run.invoker" },
    { principal = "scheduler", kind = "service", target = "train", role = "roles/run.invoker" },

    { principal = "deployer", kind = "project", target = "", role = "roles/logging.logWriter" },
    { principal = "deployer", kind = "repository", target = "", role = "roles/artifactregistry.writer" },
    { principal = "deployer", kind = "bucket", target = "build", role = "roles/storage.objectViewer" },
    { principal = "deployer", kind = "service", target = "bronze", role = "roles/run.developer" },
    { principal = "deployer", kind = "service", target = "silver", role = "roles/run.developer" },
    { principal = "deployer", kind = "service", target = "gold", role = "roles/run.developer" },
    { principal = "deployer", kind = "service", target = "features", role = "roles/run.developer" },
    { principal = "deployer", kind = "service", target = "train", role = "roles/run.developer" },
    { principal = "deployer", kind = "service", target = "serve", role = "roles/run.developer" },
    { principal = "deployer", kind = "account", target = "bronze", role = "roles/iam.serviceAccountUser" },
    { principal = "deployer", kind = "account", target = "silver", role = "roles/iam.serviceAccountUser" },
    { principal = "deployer", kind = "account", target = "gold", role = "roles/iam.serviceAccountUser" },
    { principal = "deployer", kind = "account", target = "features", role = "roles/iam.serviceAccountUser" },
    { principal = "deployer", kind = "account", target = "train", role = "roles/iam.serviceAccountUser" },
    { principal = "deployer", kind = "account", target = "serve", role = "roles/iam.serviceAccountUser" },
  ]
}

# The table applied: one resource type per kind.

resource "google_project_iam_member" "grant" {
  for_each = { for g in local.grants : "${g.principal} ${g.kind} ${g.target} ${g.role}" => g if g.kind == "project" }
  project  = var.project_id
  role     = each.value.role
  member   = google_service_account.account[each.value.principal].member
}

resource "google_storage_bucket_iam_member" "grant" {
  for_each = { for g in local.grants : "${g.principal} ${g.kind} ${g.target} ${g.role}" => g if g.kind == "bucket" }
  bucket   = local.bucket_names[each.value.target]
  role     = each.value.role
  member   = google_service_account.account[each.value.principal].member
}

resource "google_bigquery_dataset_iam_member" "grant" {
  for_each   = { for g in local.grants : "${g.principal} ${g.kind} ${g.target} ${g.role}" => g if g.kind == "dataset" }
  dataset_id = google_bigquery_dataset.dataset[each.value.target].dataset_id
  role       = each.value.role
  member     = google_service_account.account[each.value.principal].member
}

resource "google_secret_manager_secret_iam_member" "grant" {
  for_each  = { for g in local.grants : "${g.principal} ${g.kind} ${g.target} ${g.role}" => g if g.kind == "secret" }
  secret_id = local.secret_ids[each.value.target]
  role      = each.value.role
  member    = google_service_account.account[each.value.principal].member
}

resource "google_cloud_run_v2_service_iam_member" "grant" {
  for_each = { for g in local.grants : "${g.principal} ${g.kind} ${g.target} ${g.role}" => g if g.kind == "service" }
  location = var.region
  name     = google_cloud_run_v2_service.function[each.value.target].name
  role     = each.value.role
  member   = google_service_account.account[each.value.principal].member
}

resource "google_artifact_registry_repository_iam_member" "grant" {
  for_each   = { for g in local.grants : "${g.principal} ${g.kind} ${g.target} ${g.role}" => g if g.kind == "repository" }
  location   = google_artifact_registry_repository.images.location
  repository = google_artifact_registry_repository.images.name
  role       = each.value.role
  member     = google_service_account.account[each.value.principal].member
}

resource "google_service_account_iam_member" "grant" {
  for_each           = { for g in local.grants : "${g.principal} ${g.kind} ${g.target} ${g.role}" => g if g.kind == "account" }
  service_account_id = google_service_account.account[each.value.target].name
  role               = each.value.role
  member             = google_service_account.account[each.value.principal].member
}

# Grants to principals that are not OpenTrace accounts.

# Cloud Storage publishes object events to Pub/Sub through its own service agent.
data "google_storage_project_service_account" "storage_agent" {
  depends_on = [google_project_service.api]
}

resource "google_project_iam_member" "storage_agent_publishes_events" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.storage_agent.email_address}"
}

# The serve API is open to the internet only when serve_public is true.
resource "google_cloud_run_v2_service_iam_member" "serve_public" {
  count    = var.serve_public ? 1 : 0
  location = var.region
  name     = google_cloud_run_v2_service.function["serve"].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

resource "google_cloud_run_v2_service_iam_member" "serve_invoker" {
  for_each = toset(var.serve_invokers)
  location = var.region
  name     = google_cloud_run_v2_service.function["serve"].name
  role     = "roles/run.invoker"
  member   = each.value
}
