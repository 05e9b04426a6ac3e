{{/* Names and labels. */}}
{{- define "modelship.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "modelship.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* A name with a suffix, still a valid DNS label. */}}
{{- define "modelship.suffixed" -}}
{{- printf "%s-%s" (include "modelship.fullname" .root) .suffix | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "modelship.selectorLabels" -}}
app.kubernetes.io/name: {{ include "modelship.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "modelship.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "modelship.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: modelship
{{- end }}

{{- define "modelship.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "modelship.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "modelship.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* More than one replica always elects a leader: two replicas reconciling at once would fight. */}}
{{- define "modelship.leaderElect" -}}
{{- if or (gt (int .Values.replicas) 1) .Values.leaderElection.enabled }}true{{ else }}false{{ end }}
{{- end }}

{{- define "modelship.leaseName" -}}
{{- include "modelship.suffixed" (dict "root" . "suffix" "leader") }}
{{- end }}

{{- define "modelship.metricsServiceName" -}}
{{- include "modelship.suffixed" (dict "root" . "suffix" "metrics") }}
{{- end }}

{{/*
The operator's permissions on ModelDeployments and what they own, in ONE place: the ClusterRole
(whole cluster) and the Role of each watched namespace both render these rules. Every verb is one the
code uses (README, "Install with Helm"); keep them in step with src/render/child-kinds.ts CHILD_KINDS
(the traffic providers' kinds come from src/traffic/registry.ts).
*/}}
{{- define "modelship.rules" -}}
# Informer caches (list + watch); reconcile reads the cache, never GETs a ModelDeployment.
- apiGroups: ["modelship.io"]
  resources: ["modeldeployments"]
  verbs: ["list", "watch"]
# Status is written with a JSON merge patch on the status subresource; the spec never.
- apiGroups: ["modelship.io"]
  resources: ["modeldeployments/status"]
  verbs: ["patch"]
# Children carry ownerReferences with blockOwnerDeletion: clusters running the
# OwnerReferencesPermissionEnforcement admission plugin require update on the owner's finalizers.
- apiGroups: ["modelship.io"]
  resources: ["modeldeployments/finalizers"]
  verbs: ["update"]
# Children: cached (list, watch), server-side applied (patch; the API server also checks create
# when the apply creates the object), pruned (delete), and read by name (get) when a create-only apply
# finds the name taken, to tell whose object holds it (a smoke check also reads its samples ConfigMap).
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: [""]
  resources: ["services"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["autoscaling"]
  resources: ["horizontalpodautoscalers"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["gateway.networking.k8s.io"]
  resources: ["httproutes"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["networking.istio.io"]
  resources: ["virtualservices"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["traefik.io"]
  resources: ["traefikservices"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
# Model-server pods (status: readiness, image pull and crash reasons) and their Services' endpoints.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: ["discovery.k8s.io"]
  resources: ["endpointslices"]
  verbs: ["list", "watch"]
# No Secrets here: the analysis sources' Secrets are read in the release's namespace only, by name
# (rbac-analysis-sources.yaml); a user namespace's only with analysis.userSecrets.
# core/v1 Events: created, then patched with the count of repeats.
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* The sources file the operator reads (--prometheus-sources). */}}
{{- define "modelship.analysisSourcesFile" -}}
{{ toYaml (dict "sources" .Values.analysis.sources) }}
{{- end }}

{{- define "modelship.registriesFile" -}}
{{ toYaml (dict "registries" .Values.registries) }}
{{- end }}

{{/* The Secrets the model registries name, each once, sorted. */}}
{{- define "modelship.registrySecretNames" -}}
{{- $names := list }}
{{- range .Values.registries }}
{{- with .bearerTokenSecret }}{{ $names = append $names .name }}{{ end }}
{{- with .basicAuthSecret }}{{ $names = append $names .name }}{{ end }}
{{- end }}
{{- $names | uniq | sortAlpha | toJson }}
{{- end }}

{{/* The Secrets the analysis sources name, each once, sorted. */}}
{{- define "modelship.analysisSecretNames" -}}
{{- $names := list }}
{{- range .Values.analysis.sources }}
{{- with .bearerTokenSecret }}{{ $names = append $names .name }}{{ end }}
{{- with .caSecret }}{{ $names = append $names .name }}{{ end }}
{{- end }}
{{- $names | uniq | sortAlpha | toJson }}
{{- end }}

{{- define "modelship.retrainingTargetsFile" -}}
{{ toYaml (dict "airflow" (.Values.retrainingTargets.airflow | default list) "webhooks" (.Values.retrainingTargets.webhooks | default list)) }}
{{- end }}

{{/* The Secrets the retraining targets name, each once, sorted. */}}
{{- define "modelship.retrainingSecretNames" -}}
{{- $names := list }}
{{- range .Values.retrainingTargets.airflow }}
{{- with .bearerTokenSecret }}{{ $names = append $names .name }}{{ end }}
{{- with .basicAuthSecret }}{{ $names = append $names .name }}{{ end }}
{{- end }}
{{- range .Values.retrainingTargets.webhooks }}
{{- with .hmacSecret }}{{ $names = append $names .name }}{{ end }}
{{- end }}
{{- $names | uniq | sortAlpha | toJson }}
{{- end }}
