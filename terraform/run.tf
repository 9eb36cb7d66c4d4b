# One Cloud Run service per function. Every service requires IAM authentication; only the grants in iam.tf
# (and serve_public / serve_invokers for the serve API) may invoke them.
resource "google_cloud_run_v2_service" "function" {
  for_each            = local.functions
  name                = "${var.prefix}-${each.key}"
  location            = var.region
  description         = "OpenTrace ${each.key} function (${each.value.project})"
  ingress             = each.key == "serve" ? "INGRESS_TRAFFIC_ALL" : var.pipeline_ingress
  deletion_protection = false
  labels              = { function = each.key }

  template {
    service_account                  = google_service_account.account[each.key].email
    timeout                          = each.value.timeout
    max_instance_request_concurrency = each.value.concurrency

    scaling {
      min_instance_count = each.value.min_instances
      max_instance_count = each.value.max_instances
    }

    containers {
      image = var.image_tag == "" ? local.placeholder_image : "${local.image_repository}/${each.key}:${var.image_tag}"

      resources {
        limits = {
          cpu    = each.value.cpu
          memory = each.value.memory
        }
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = local.environment
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = lookup(local.secret_environment, each.key, {})
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = env.value
              version = "latest"
            }
          }
        }
      }
    }
  }

  lifecycle {
    # Cloud Build deploys each commit's image (cloudbuild.yaml); Terraform owns everything else.
    ignore_changes = [template[0].containers[0].image, client, client_version]
  }

  depends_on = [google_project_service.api, google_secret_manager_secret_iam_member.grant]
}
