# Tokens by model over OTLP JSON Lines, as a person would write it with jq: read each span's
# usage from whichever convention wrote it, and skip the spans that repeat their children's
# usage (invoke_agent / invoke_workflow totals, the Vercel AI SDK's outer ai.* spans).
#   jq -n -c -f bench/jq/tokens-by-model.jq dump.jsonl
def attrs: reduce (.attributes // [])[] as $a ({}; .[$a.key] = ($a.value | .stringValue // .intValue // .doubleValue // .boolValue));
def num: if . == null then null else tonumber end;
{"invoke_agent": true, "invoke_workflow": true} as $aggregate_ops
| {"ai.generateText": true, "ai.streamText": true, "ai.generateObject": true, "ai.streamObject": true, "ai.embed": true, "ai.embedMany": true} as $vercel_outer
| reduce (inputs | .resourceSpans[]?.scopeSpans[]?.spans[]?) as $s ({};
    ($s | attrs) as $a
    | if $aggregate_ops[$a["gen_ai.operation.name"] // ""] or $vercel_outer[$s.name] then .
      else
        ($a["gen_ai.usage.input_tokens"] // $a["gen_ai.usage.prompt_tokens"] // $a["llm.token_count.prompt"] // $a["ai.usage.inputTokens"] // $a["ai.usage.promptTokens"] // $a["ai.usage.tokens"] | num) as $in
        | ($a["gen_ai.usage.output_tokens"] // $a["gen_ai.usage.completion_tokens"] // $a["llm.token_count.completion"] // $a["ai.usage.outputTokens"] // $a["ai.usage.completionTokens"] | num) as $out
        | if $in == null and $out == null then .
          else ($a["gen_ai.response.model"] // $a["llm.model_name"] // $a["ai.response.model"] // $a["gen_ai.request.model"] // $a["ai.model.id"] // "(unknown)") as $m
            | .[$m].calls += 1 | .[$m].input += ($in // 0) | .[$m].output += ($out // 0)
          end
      end)
