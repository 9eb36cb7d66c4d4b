namespace OpenTrace.Deploy.Tests.Deployment;

/// <summary>One instruction of a Dockerfile: its keyword (upper case), arguments as written and build stage (0-based).</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments, int Stage, int Line);

/// <summary>A Dockerfile's instructions, with line continuations joined and comments dropped.</summary>
internal sealed class Dockerfile
{
    private Dockerfile(IReadOnlyList<DockerInstruction> instructions) => Instructions = instructions;

    public IReadOnlyList<DockerInstruction> Instructions { get; }

    public int StageCount => Instructions.Count(instruction => instruction.Keyword == "FROM");

    public IEnumerable<DockerInstruction> InStage(int stage) => Instructions.Where(instruction => instruction.Stage == stage);

    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(instruction => instruction.Keyword == keyword);

    /// <summary>The source paths of every COPY in <paramref name="stage"/> that copies from the build context.</summary>
    public IReadOnlyList<string> ContextSources(int stage) => InStage(stage)
        .Where(instruction => instruction.Keyword == "COPY" && !instruction.Arguments.StartsWith("--from", StringComparison.Ordinal))
        .SelectMany(instruction => instruction.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipLast(1))
        .ToList();

    public static Dockerfile Load(string path)
    {
        var instructions = new List<DockerInstruction>();
        var stage = -1;
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var start = i;
            while (line.EndsWith('\\') && i + 1 < lines.Length)
            {
                line = line[..^1].TrimEnd() + " " + lines[++i].Trim();
            }

            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0)
            {
                throw new InvalidDataException($"{path}:{start + 1}: instruction without arguments");
            }

            var keyword = line[..space].ToUpperInvariant();
            if (keyword == "FROM")
            {
                stage++;
            }

            instructions.Add(new DockerInstruction(keyword, line[(space + 1)..].Trim(), stage, start + 1));
        }

        return new Dockerfile(instructions);
    }
}
