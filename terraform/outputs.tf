output "bronze_bucket" {
  description = "Drop files here: gs://<bucket>/<domain>/<table>/<file>."
  value       = google_storage_bucket.bronze.name
}

output "lake_bucket" {
  description = "Parquet under bronze/, silver/, gold/, quarantine/, features/ and embeddings/."
  value       = google_storage_bucket.lake.name
}

output "models_bucket" {
  description = "Model artifacts and the model registry."
  value       = google_storage_bucket.models.name
}

output "build_bucket" {
  description = "Source staging bucket for manual Cloud Build runs."
  value       = google_storage_bucket.build.name
}

output "serve_url" {
  description = "Base URL of the serve API (/v1/predict, /v1/qa, /v1/search, /v1/features/{group}/{id}, /healthz)."
  value       = google_cloud_run_v2_service.function["serve"].uri
}

output "service_urls" {
  description = "Cloud Run URL of every function."
  value       = { for name, service in google_cloud_run_v2_service.function : name => service.uri }
}

output "service_names" {
  description = "Cloud Run service of every function (what cloudbuild.yaml deploys to)."
  value       = { for name, service in google_cloud_run_v2_service.function : name => service.name }
}

output "service_accounts" {
  description = "Email of every OpenTrace service account: one per function, per Eventarc trigger, the scheduler and the deployer."
  value       = { for name, account in google_service_account.account : name => account.email }
}

output "image_repository" {
  description = "Artifact Registry path images are pushed to: <repository>/<function>:<commit>."
  value       = local.image_repository
}

output "datasets" {
  description = "BigQuery datasets."
  value       = sort([for dataset in google_bigquery_dataset.dataset : dataset.dataset_id])
}

output "firestore_database" {
  description = "Firestore database holding event claims and the online feature store."
  value       = google_firestore_database.main.name
}

output "online_store" {
  description = "Firestore collection group of the online feature store and its expiry (TTL) field."
  value       = { collection = local.online_collection, ttl_field = local.online_ttl_field }
}

output "environment" {
  description = "Environment every function runs with."
  value       = local.environment
}

output "cloud_build_command" {
  description = "Builds, tests and deploys the current commit with the deployer account."
  value = join(" ", [
    "gcloud builds submit --config cloudbuild.yaml",
    "--project ${var.project_id} --region ${var.region}",
    "--service-account ${google_service_account.account["deployer"].id}",
    "--gcs-source-staging-dir gs://${google_storage_bucket.build.name}/source",
    "--substitutions COMMIT_SHA=$(git rev-parse HEAD),_REGION=${var.region},_REPOSITORY=${var.repository},_PREFIX=${var.prefix}",
    ".",
  ])
}
