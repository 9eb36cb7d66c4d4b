# Object finalized in the bronze bucket -> bronze function; in the lake bucket -> silver function
# (silver acts on bronze/ objects and answers 200 to everything else).
resource "google_eventarc_trigger" "storage" {
  for_each        = local.eventarc_sources
  name            = "${var.prefix}-${each.key}"
  location        = var.region
  service_account = google_service_account.account["${each.key}-trigger"].email

  matching_criteria {
    attribute = "type"
    value     = "google.cloud.storage.object.v1.finalized"
  }

  matching_criteria {
    attribute = "bucket"
    value     = local.bucket_names[each.value]
  }

  destination {
    cloud_run_service {
      service = google_cloud_run_v2_service.function[each.key].name
      region  = var.region
    }
  }

  # The storage service agent must publish and the trigger's account must receive and invoke before events flow.
  depends_on = [
    google_project_iam_member.storage_agent_publishes_events,
    google_project_iam_member.grant,
    google_cloud_run_v2_service_iam_member.grant,
  ]
}

# gold, features and train run on a schedule, called with an OIDC token whose audience is the service URL.
resource "google_cloud_scheduler_job" "function" {
  for_each         = toset(local.scheduled_functions)
  name             = "${var.prefix}-${each.key}"
  description      = "Starts an OpenTrace ${each.key} run"
  region           = var.region
  schedule         = var.schedules[each.key]
  time_zone        = var.schedule_time_zone
  attempt_deadline = "1800s"

  retry_config {
    retry_count          = 2
    min_backoff_duration = "60s"
  }

  http_target {
    uri         = google_cloud_run_v2_service.function[each.key].uri
    http_method = "POST"

    oidc_token {
      service_account_email = google_service_account.account["scheduler"].email
      audience              = google_cloud_run_v2_service.function[each.key].uri
    }
  }

  depends_on = [google_cloud_run_v2_service_iam_member.grant]
}
