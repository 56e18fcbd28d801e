{{/* The release's name prefix: <release>-reverie, or the release name if it already says reverie. */}}
{{- define "reverie.fullname" -}}
{{- if contains "reverie" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-reverie" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "reverie.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | quote }}
app.kubernetes.io/part-of: reverie
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
{{- end -}}

{{/* Selector of one service's pods; call with (dict "root" $ "name" <service>). */}}
{{- define "reverie.selectorLabels" -}}
app.kubernetes.io/name: {{ .name | quote }}
app.kubernetes.io/instance: {{ .root.Release.Name | quote }}
{{- end -}}

{{/* The name of one service's objects; call with (dict "root" $ "name" <service>). */}}
{{- define "reverie.serviceName" -}}
{{- printf "%s-%s" (include "reverie.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The Secret the pods read: the existing one, or the chart's. */}}
{{- define "reverie.secretName" -}}
{{- .Values.secret.existingSecret | default (include "reverie.fullname" .) -}}
{{- end -}}
