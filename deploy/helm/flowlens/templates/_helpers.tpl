{{/* The chart's name, or nameOverride. */}}
{{- define "flowlens.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: resource names start with it (63 characters at most, as DNS labels need). */}}
{{- define "flowlens.fullname" -}}
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

{{- define "flowlens.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "flowlens.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "flowlens.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flowlens.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "flowlens.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "flowlens.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret the pods read: one the user manages, or the chart's own. */}}
{{- define "flowlens.secretName" -}}
{{- default (include "flowlens.fullname" .) .Values.secret.existingSecret }}
{{- end }}

{{/*
The FlowLens container, the same in web and worker pods but for who runs the ingestion jobs.
Call with (dict "root" $ "runsJobs" true|false "resources" .Values.web.resources).
*/}}
{{- define "flowlens.container" -}}
- name: flowlens
  image: "{{ .root.Values.image.repository }}:{{ .root.Values.image.tag | default .root.Chart.AppVersion }}"
  imagePullPolicy: {{ .root.Values.image.pullPolicy }}
  ports:
    - name: http
      containerPort: 8080
      protocol: TCP
  envFrom:
    - configMapRef:
        name: {{ include "flowlens.fullname" .root }}
    - secretRef:
        name: {{ include "flowlens.secretName" .root }}
  env:
    # Set here, not in config: whether this pod runs the ingestion jobs (false: a web-only node).
    - name: FlowLens__Jobs__Worker
      value: {{ .runsJobs | quote }}
    {{- with .root.Values.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  # Started: listening (migrations at start may take minutes). Live: the process answers. Ready: the database is up.
  startupProbe:
    httpGet:
      path: /api/health/live
      port: http
    periodSeconds: 5
    failureThreshold: 120
  livenessProbe:
    httpGet:
      path: /api/health/live
      port: http
    periodSeconds: 10
    timeoutSeconds: 5
    failureThreshold: 3
  readinessProbe:
    httpGet:
      path: /api/health
      port: http
    periodSeconds: 10
    timeoutSeconds: 5
    failureThreshold: 3
  resources:
    {{- toYaml .resources | nindent 4 }}
  securityContext:
    {{- toYaml .root.Values.securityContext | nindent 4 }}
  volumeMounts:
    # The root file system is read-only; Parquet objects are copied to a temporary file before they are read.
    - name: tmp
      mountPath: /tmp
{{- end }}

{{/* Pod settings shared by web and worker pods. Call with (dict "root" $ "pod" .Values.web). */}}
{{- define "flowlens.podSettings" -}}
serviceAccountName: {{ include "flowlens.serviceAccountName" .root }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- with .pod.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .pod.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .pod.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: tmp
    emptyDir: {}
{{- end }}

{{/* Pod annotations: the user's, and checksums of the settings so that changing them restarts the pods. */}}
{{- define "flowlens.podAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- with .Values.podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}
