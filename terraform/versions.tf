terraform {
  required_version = ">= 1.5"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.50, < 7.0"
    }
  }

  # State is local by default. For a shared environment keep it in a bucket created beforehand:
  # backend "gcs" {
  #   bucket = "<project>-tfstate"
  #   prefix = "opentrace"
  # }
}

provider "google" {
  project        = var.project_id
  region         = var.region
  default_labels = merge({ app = "opentrace" }, var.labels)
}
