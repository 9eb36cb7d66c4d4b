using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenTrace.Core.Retrieval;

namespace OpenTrace.Bench;

/// <summary>A question the serve suite asks <c>POST /v1/qa</c>.</summary>
/// <param name="Question">The question.</param>
/// <param name="Covered">True for the retrieval evaluation's questions (the documents answer them), false for those they do not.</param>
internal sealed record QaQuestion(string Question, bool Covered);

/// <summary>
/// The questions of the serve suite's <c>qa</c> target: the retrieval evaluation set
/// (<c>tests/OpenTrace.Core.Tests/data/retrieval/eval.json</c>, the questions recall@5 and MRR are measured on) and a few
/// the documents do not cover; and the check that every answer carries at least one citation or says the documents do
/// not cover the question.
/// </summary>
internal static class QaQuestions
{
    /// <summary>Where the evaluation set lives, relative to the repository root.</summary>
    public const string EvaluationSet = "tests/OpenTrace.Core.Tests/data/retrieval/eval.json";

    private static readonly string[] Outside =
    [
        "What is the capital of France?",
        "How do I bake sourdough bread at home?",
        "Who won the football world cup in 1970?",
        "How many moons does Jupiter have?",
        "Which programming language should I learn first?",
        "What is the boiling point of water on a mountain?",
    ];

    public static IReadOnlyList<QaQuestion> Load()
    {
        var path = Path.Combine(BenchEnvironment.RepositoryRoot, EvaluationSet);
        if (!File.Exists(path))
        {
            throw new BenchException($"The retrieval evaluation set {EvaluationSet} is missing.");
        }

        var evaluation = JsonNode.Parse(File.ReadAllText(path))!.AsArray()
            .Select(c => new QaQuestion((string)c!["question"]!, Covered: true));
        return [.. evaluation, .. Outside.Select(q => new QaQuestion(q, Covered: false))];
    }

    /// <summary>
    /// Asks every question once on one connection and checks each answer: 200 with at least one citation, or the answer
    /// that the documents do not cover the question. Returns the counts and every violation.
    /// </summary>
    public static async Task<JsonObject> CheckAsync(Uri serve, IReadOnlyList<QaQuestion> questions)
    {
        using var client = new HttpClient { BaseAddress = serve, Timeout = TimeSpan.FromSeconds(30) };
        int covered = 0, notCovered = 0, evaluationCovered = 0, outsideCovered = 0;
        var violations = new JsonArray();
        foreach (var question in questions)
        {
            using var response = await client.PostAsJsonAsync("/v1/qa", new { question = question.Question });
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                violations.Add(Violation(question, $"answered {(int)response.StatusCode}: {body}"));
                continue;
            }

            var answer = JsonNode.Parse(body)!.AsObject();
            var text = (string?)answer["answer"] ?? string.Empty;
            var citations = answer["citations"]?.AsArray().Count ?? 0;
            var saysNotCovered = answer["covered"]?.GetValue<bool>() == false && text == QaService.NotCoveredAnswer;
            if (saysNotCovered)
            {
                notCovered++;
            }
            else if (citations > 0)
            {
                covered++;
                evaluationCovered += question.Covered ? 1 : 0;
                outsideCovered += question.Covered ? 0 : 1;
            }
            else
            {
                violations.Add(Violation(question, "no citation, and the answer does not say the documents do not cover the question"));
            }
        }

        return new JsonObject
        {
            ["questions"] = questions.Count,
            ["evaluation_questions"] = questions.Count(q => q.Covered),
            ["outside_questions"] = questions.Count(q => !q.Covered),
            ["covered"] = covered,
            ["not_covered"] = notCovered,
            ["evaluation_answered_covered"] = evaluationCovered,
            ["outside_answered_covered"] = outsideCovered,
            ["violations"] = violations.Count,
            ["violation_details"] = violations,
        };
    }

    private static JsonObject Violation(QaQuestion question, string reason) => new() { ["question"] = question.Question, ["reason"] = reason };
}
