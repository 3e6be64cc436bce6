{{/* The release's base name for every object. */}}
{{- define "beamloom.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "beamloom.labels" -}}
app.kubernetes.io/name: {{ default .Chart.Name .Values.nameOverride }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "controller"). */}}
{{- define "beamloom.selector" -}}
app.kubernetes.io/name: {{ default .root.Chart.Name .root.Values.nameOverride }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* An image reference from (dict "root" $ "image" <override map or empty>). */}}
{{- define "beamloom.image" -}}
{{- $img := merge (dict) (default (dict) .image) .root.Values.image -}}
{{- printf "%s:%s" $img.repository (default .root.Chart.AppVersion (toString $img.tag)) -}}
{{- end -}}

{{- define "beamloom.pullPolicy" -}}
{{- $img := merge (dict) (default (dict) .image) .root.Values.image -}}
{{- $img.pullPolicy -}}
{{- end -}}

{{/* The container command of one role: (dict "root" $ "role" "worker"). Workers and ingesters
move detector frames and get `dataPathNodeFlags` right after the node binary. */}}
{{- define "beamloom.command" -}}
{{- $command := .root.Values.command -}}
{{- if and (has .role (list "worker" "ingester")) .root.Values.dataPathNodeFlags -}}
{{- $command = concat (list (first $command)) .root.Values.dataPathNodeFlags (rest $command) -}}
{{- end -}}
{{- toJson $command -}}
{{- end -}}

{{/* The env of the roles that move detector frames: `dataPathEnv` (glibc's allocator settings),
sorted by name. */}}
{{- define "beamloom.dataPathEnv" -}}
{{- range $name, $value := .Values.dataPathEnv }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* The Redis service name of the bundled Redis. */}}
{{- define "beamloom.redisHost" -}}
{{- if .Values.redis.enabled -}}
{{- printf "%s-redis:%d" (include "beamloom.fullname" .) (int .Values.redis.port) -}}
{{- else -}}
{{- required "redis.external.host is required when redis.enabled is false" .Values.redis.external.host -}}
{{- end -}}
{{- end -}}

{{/* The Secret (name and key) that holds the Redis password, empty when there is none. */}}
{{- define "beamloom.redisSecretName" -}}
{{- if .Values.redis.auth.existingSecret -}}
{{- .Values.redis.auth.existingSecret -}}
{{- else if .Values.redis.auth.password -}}
{{- printf "%s-redis-auth" (include "beamloom.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
The control-plane env every beamloom process reads (REDIS_URL, REDIS_KEY_PREFIX, HEARTBEAT_MS).
With a password, REDIS_PASSWORD comes from the Secret and Kubernetes expands $(REDIS_PASSWORD)
inside REDIS_URL; REDIS_PASSWORD itself is read by nothing else.
*/}}
{{- define "beamloom.controlPlaneEnv" -}}
{{- $secret := include "beamloom.redisSecretName" . -}}
{{- $scheme := ternary "rediss" "redis" (and (not .Values.redis.enabled) .Values.redis.external.tls) -}}
{{- $db := ternary 0 (int .Values.redis.external.db) .Values.redis.enabled -}}
{{- if $secret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ .Values.redis.auth.secretKey }}
- name: REDIS_URL
  value: {{ printf "%s://:$(REDIS_PASSWORD)@%s/%d" $scheme (include "beamloom.redisHost" .) $db | quote }}
{{- else }}
- name: REDIS_URL
  value: {{ printf "%s://%s/%d" $scheme (include "beamloom.redisHost" .) $db | quote }}
{{- end }}
- name: REDIS_KEY_PREFIX
  value: {{ .Values.keyPrefix | quote }}
- name: HEARTBEAT_MS
  value: {{ .Values.heartbeatMs | quote }}
{{- end -}}

{{/* The controller's in-cluster URL. */}}
{{- define "beamloom.controllerUrl" -}}
{{- printf "http://%s-controller.%s.svc:%d" (include "beamloom.fullname" .) .Release.Namespace (int .Values.controller.port) -}}
{{- end -}}

{{/* Prometheus scrape annotations for a pod serving /metrics on `port`: (dict "root" $ "port" 5000). */}}
{{- define "beamloom.scrapeAnnotations" -}}
{{- if .root.Values.prometheus.scrape }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- with .root.Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Scheduling fields of a pod spec from a component's values. */}}
{{- define "beamloom.scheduling" -}}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The names of the worker Deployments the autoscaler manages. */}}
{{- define "beamloom.autoscaledPools" -}}
{{- $root := . -}}
{{- $names := list -}}
{{- range $pool := include "beamloom.workerPools" . | fromYamlArray -}}
{{- if $pool.autoscale.enabled -}}
{{- $names = append $names $pool.deployment -}}
{{- end -}}
{{- end -}}
{{- toYaml $names -}}
{{- end -}}

{{/*
Every worker pool, defaults filled from `workers`, as a YAML list with a `deployment` name each:
the main pool is `<fullname>-worker`, an extra pool `<fullname>-worker-<name>`.
*/}}
{{- define "beamloom.workerPools" -}}
{{- $base := omit .Values.workers "autoscale" -}}
{{- $pools := list (merge (dict "name" "" "deployment" (printf "%s-worker" (include "beamloom.fullname" .)) "autoscale" .Values.workers.autoscale) (deepCopy $base)) -}}
{{- range $extra := .Values.extraWorkerPools -}}
{{- $autoscale := merge (dict) (default (dict) $extra.autoscale) (dict "enabled" false "minReplicas" 1 "maxReplicas" 8) -}}
{{- $pool := merge (dict "deployment" (printf "%s-worker-%s" (include "beamloom.fullname" $) $extra.name) "autoscale" $autoscale) (omit $extra "autoscale") (deepCopy $base) -}}
{{- $pools = append $pools $pool -}}
{{- end -}}
{{- toYaml $pools -}}
{{- end -}}

{{/* The Secret holding the data plane's CURVE secret key (the chart's own, or existingSecret). */}}
{{- define "beamloom.dataPlaneSecretName" -}}
{{- default (printf "%s-data-plane" (include "beamloom.fullname" .)) .Values.security.dataPlane.existingSecret -}}
{{- end -}}

{{/* The Secret holding the tokens the chart makes (controller-token, reducer-token). */}}
{{- define "beamloom.tokenSecretName" -}}
{{- printf "%s-tokens" (include "beamloom.fullname" .) -}}
{{- end -}}

{{/* DATA_PLANE_KEY_FILE for ingesters, workers and the reducer, when the data plane is keyed. */}}
{{- define "beamloom.dataPlaneEnv" -}}
{{- if .Values.security.dataPlane.curve }}
- name: DATA_PLANE_KEY_FILE
  value: {{ printf "/etc/beamloom/data-plane/%s" .Values.security.dataPlane.secretKey | quote }}
{{- end }}
{{- end -}}

{{/* The volume mount of the data-plane key (a list entry), when keyed. */}}
{{- define "beamloom.dataPlaneMount" -}}
{{- if .Values.security.dataPlane.curve }}
- name: data-plane-key
  mountPath: /etc/beamloom/data-plane
  readOnly: true
{{- end }}
{{- end -}}

{{/* The volume of the data-plane key (a list entry), when keyed. */}}
{{- define "beamloom.dataPlaneVolume" -}}
{{- if .Values.security.dataPlane.curve }}
- name: data-plane-key
  secret:
    secretName: {{ include "beamloom.dataPlaneSecretName" . }}
    # 0400 (read by the owner only), written in decimal: YAML 1.1 and 1.2 read 0400 differently.
    defaultMode: 256
    items:
      - key: {{ .Values.security.dataPlane.secretKey }}
        path: {{ .Values.security.dataPlane.secretKey }}
{{- end }}
{{- end -}}

{{/* An env entry `name` from a token Secret: (dict "root" $ "name" "CONTROLLER_TOKEN" "token" .token "key" "controller-token"). */}}
{{- define "beamloom.tokenEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ default (include "beamloom.tokenSecretName" .root) .token.existingSecret }}
      key: {{ ternary .token.secretKey .key (ne .token.existingSecret "") }}
{{- end -}}
