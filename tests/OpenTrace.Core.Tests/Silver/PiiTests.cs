using OpenTrace.Core.Samples;
using OpenTrace.Core.Silver;
using OpenTrace.Testing;

namespace OpenTrace.Core.Tests.Silver;

public sealed class PiiTests
{
    [Theory]
    [InlineData("Meu e-mail é maria.silva@uol.com.br, obrigado", "Meu e-mail é [email], obrigado")]
    [InlineData("escreva para JOAO_SOUZA77@Hotmail.com.", "escreva para [email].")]
    [InlineData("Me liguem no (11) 98765-4321", "Me liguem no [phone]")]
    [InlineData("WhatsApp +55 11 98765-4321, aguardo retorno", "WhatsApp [phone], aguardo retorno")]
    [InlineData("tel 11987654321!", "tel [phone]!")]
    [InlineData("fixo (21) 3456-7890 ou 21 3456 7890", "fixo [phone] ou [phone]")]
    [InlineData("+55 (31) 99876 5432", "[phone]")]
    [InlineData("CPF 123.456.789-09 no pedido", "CPF [cpf] no pedido")]
    [InlineData("cpf 12345678909", "cpf [cpf]")]
    [InlineData("CNPJ 11.222.333/0001-81", "CNPJ [cnpj]")]
    [InlineData("cnpj 11222333000181", "cnpj [cnpj]")]
    [InlineData("a@b.co e (11) 91234-5678", "[email] e [phone]")]
    public void Scrub_PersonalData_IsReplacedByPlaceholders(string text, string expected) =>
        Assert.Equal(expected, TextScrubber.Scrub(text));

    [Theory]
    [InlineData("Produto excelente, chegou antes do prazo.")]
    [InlineData("Pedido 12345 chegou em 2018-05-02 às 10:30")]
    [InlineData("CEP 01310-100, nota 5 de 5")]
    [InlineData("paguei R$ 1.234,56 em 10x")]
    [InlineData("comprei 2 unidades de 500g")]
    [InlineData("")]
    [InlineData(null)]
    public void Scrub_OrdinaryText_IsLeftAsIs(string? text) =>
        Assert.Equal(text, TextScrubber.Scrub(text));

    [Fact]
    public void Scrub_EverySeededOlistFormat_IsRemoved()
    {
        foreach (var format in OlistPii.Formats)
        {
            var text = $"Olá, {format.Example} obrigado";

            var scrubbed = TextScrubber.Scrub(text);

            Assert.Empty(OlistPii.FindAll(scrubbed));
            Assert.NotEqual(text, scrubbed);
        }
    }

    [Theory]
    [InlineData("52998224725", true)]
    [InlineData("12345678909", true)]
    [InlineData("12345678900", false)]
    [InlineData("11111111111", false)]
    [InlineData("1234567890", false)]
    public void IsValidCpf_ChecksTheCheckDigits(string digits, bool valid) =>
        Assert.Equal(valid, TextScrubber.IsValidCpf(digits));

    [Fact]
    public void Pseudonymize_IsDeterministicPerKeyAndHidesTheValue()
    {
        var one = new PiiProtector(PiiKey.FromSetting("first-key-0123456789"));
        var same = new PiiProtector(PiiKey.FromSetting("first-key-0123456789"));
        var other = new PiiProtector(PiiKey.FromSetting("second-key-0123456789"));

        var token = one.Pseudonymize("861eff4711a542e4b93843c6dd7febb0");

        Assert.Equal(token, same.Pseudonymize("861eff4711a542e4b93843c6dd7febb0"));
        Assert.NotEqual(token, other.Pseudonymize("861eff4711a542e4b93843c6dd7febb0"));
        Assert.NotEqual(token, one.Pseudonymize("861eff4711a542e4b93843c6dd7febb1"));
        Assert.Matches("^[0-9a-f]{32}$", token);
        Assert.NotEqual(one.KeyId, other.KeyId);
        Assert.Equal(one.KeyId, same.KeyId);
    }

    [Theory]
    [InlineData("4111 1111 1111 1234", 4, "**** **** **** 1234")]
    [InlineData("ana@mail.com", 0, "***@****.***")]
    [InlineData("AB-12", 10, "AB-12")]
    public void Mask_HidesLettersAndDigitsButTheLastFew(string value, int keepLast, string expected) =>
        Assert.Equal(expected, PiiProtector.Mask(value, keepLast));

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("  ", "is required")]
    [InlineData("short", "too short")]
    public void FromSetting_MissingOrWeakKey_NamesTheSetting(string? text, string message)
    {
        var error = Assert.Throws<InvalidOperationException>(() => PiiKey.FromSetting(text));

        Assert.Contains("OpenTrace:PiiKey", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadOrCreateFile_CreatesOneKeyReadableByTheOwnerAndReusesIt()
    {
        using var dir = new TempDirectory("pii-key");
        var path = dir.Combine("home", PiiKey.FileName);

        var first = new PiiProtector(PiiKey.LoadOrCreateFile(path));
        var second = new PiiProtector(PiiKey.LoadOrCreateFile(path));

        Assert.Equal(first.Pseudonymize("x"), second.Pseudonymize("x"));
        Assert.True(File.ReadAllText(path).Length >= PiiKey.MinimumLength);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        using var other = new TempDirectory("pii-key");
        Assert.NotEqual(first.KeyId, new PiiProtector(PiiKey.LoadOrCreateFile(other.Combine(PiiKey.FileName))).KeyId);
    }
}
