variable "project_id" {
  description = "Google Cloud project to deploy into. Buckets are named <project_id>-bronze, -lake, -models and -build."
  type        = string
}

variable "region" {
  description = "Region for Cloud Run, Eventarc, Cloud Scheduler, Artifact Registry, the buckets and the BigQuery datasets (one region keeps loads from Cloud Storage into BigQuery legal and free)."
  type        = string
  default     = "europe-west1"
}

variable "prefix" {
  description = "Prefix of Cloud Run services, service accounts, Eventarc triggers and Scheduler jobs (<prefix>-bronze, ...). Must match _PREFIX in cloudbuild.yaml."
  type        = string
  default     = "opentrace"

  validation {
    # Service account ids are at most 30 characters and the longest suffix is "-silver-trigger".
    condition     = can(regex("^[a-z][a-z0-9-]{0,13}[a-z0-9]$", var.prefix))
    error_message = "prefix must be 2 to 15 characters: lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "repository" {
  description = "Artifact Registry Docker repository holding the function images. Must match _REPOSITORY in cloudbuild.yaml."
  type        = string
  default     = "opentrace"
}

variable "image_tag" {
  description = "Image tag (a commit SHA) used when a Cloud Run service is created. Empty: a placeholder image until the first Cloud Build run deploys the real one. After creation Cloud Build owns the image and Terraform ignores it."
  type        = string
  default     = ""
}

variable "serve_public" {
  description = "Let anyone on the internet call the serve API (grants roles/run.invoker to allUsers on the serve service). Default false: callers need an identity token and roles/run.invoker."
  type        = bool
  default     = false
}

variable "serve_invokers" {
  description = "Principals allowed to call the serve API when it is not public, for example [\"user:ana@example.com\", \"group:analysts@example.com\"]."
  type        = list(string)
  default     = []
}

variable "serve_min_instances" {
  description = "Instances of the serve function kept warm. 0 scales to zero (a cold start on the first request); 1 answers at once and is billed while idle."
  type        = number
  default     = 0
}

variable "pipeline_ingress" {
  description = "Network ingress of the bronze, silver, gold, features and train services. Internal only: Eventarc and Cloud Scheduler in this project still reach them; the internet cannot. The serve service always accepts all ingress (and still requires IAM unless serve_public)."
  type        = string
  default     = "INGRESS_TRAFFIC_INTERNAL_ONLY"

  validation {
    condition     = contains(["INGRESS_TRAFFIC_INTERNAL_ONLY", "INGRESS_TRAFFIC_ALL"], var.pipeline_ingress)
    error_message = "pipeline_ingress must be INGRESS_TRAFFIC_INTERNAL_ONLY or INGRESS_TRAFFIC_ALL."
  }
}

variable "schedules" {
  description = "Cron schedules (in schedule_time_zone) of the gold, features and train runs. Each run rebuilds only what changed upstream."
  type        = map(string)
  default = {
    gold     = "10 * * * *"
    features = "40 * * * *"
    train    = "30 3 * * *"
  }

  validation {
    condition     = length(setsubtract(["gold", "features", "train"], keys(var.schedules))) == 0
    error_message = "schedules must have an entry for gold, features and train."
  }
}

variable "schedule_time_zone" {
  description = "Time zone of the schedules."
  type        = string
  default     = "Etc/UTC"
}

variable "firestore_location" {
  description = "Firestore location (a region such as europe-west1, or a multi-region such as eur3). Null: the region."
  type        = string
  default     = null
}

variable "firestore_database" {
  description = "Firestore database holding event claims and the online feature store. A project has one (default) database; use another name to live beside an existing one."
  type        = string
  default     = "(default)"
}

variable "vertex_region" {
  description = "Vertex AI location for embeddings and answer generation. Null: the region."
  type        = string
  default     = null
}

variable "embedding_model" {
  description = "Vertex AI text embedding model used by the features and serve functions."
  type        = string
  default     = "text-embedding-005"
}

variable "generative_model" {
  description = "Vertex AI Gemini model the serve function grounds its answers with."
  type        = string
  default     = "gemini-2.5-flash"
}

variable "bronze_nearline_after_days" {
  description = "Days after which raw files in the bronze bucket move to the NEARLINE storage class (they are read again only on a replay)."
  type        = number
  default     = 30
}

variable "bronze_noncurrent_retention_days" {
  description = "Days a replaced or deleted bronze file version is kept before it is deleted."
  type        = number
  default     = 90
}

variable "quarantine_retention_days" {
  description = "Days quarantined files are kept under quarantine/ in the lake bucket (the rows and reasons stay in ops.quarantine)."
  type        = number
  default     = 90
}

variable "force_destroy" {
  description = "Let terraform destroy delete non-empty buckets, datasets with tables and the Firestore database. Keep false outside throw-away projects."
  type        = bool
  default     = false
}

variable "labels" {
  description = "Extra labels on every resource that takes labels."
  type        = map(string)
  default     = {}
}
