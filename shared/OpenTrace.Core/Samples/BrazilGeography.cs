namespace OpenTrace.Core.Samples;

/// <summary>A city: the lower-case unaccented name the published files use, its accented spelling, weight and place.</summary>
internal sealed record BrazilCity(string Name, string Accented, int Weight, int LatE2, int LngE2);

/// <summary>
/// A state: its zip (CEP) range, capital's coordinates in hundredths of a degree, the published customer and seller
/// counts used as weights, its share of distinct zip prefixes, and cities in zip order.
/// </summary>
internal sealed record BrazilState(
    string Code, int ZipLow, int ZipHigh, int LatE2, int LngE2, int Customers, int Sellers, int PrefixShare, IReadOnlyList<BrazilCity> Cities)
{
    public int ZipCount => ZipHigh - ZipLow + 1;
}

/// <summary>The 27 federative units in zip order, with a few cities each.</summary>
internal static class BrazilGeography
{
    public static IReadOnlyList<BrazilState> States { get; } =
    [
        new("SP", 1000, 19999, -2355, -4663, 41746, 1849, 280,
        [
            C("sao paulo", "são paulo", 40, -2355, -4663), C("osasco", "osasco", 3, -2353, -4679), C("guarulhos", "guarulhos", 4, -2345, -4653),
            C("santo andre", "santo andré", 3, -2366, -4654), C("sao bernardo do campo", "são bernardo do campo", 3, -2369, -4656),
            C("santos", "santos", 3, -2396, -4633), C("sao jose dos campos", "são josé dos campos", 3, -2322, -4590),
            C("campinas", "campinas", 6, -2291, -4706), C("jundiai", "jundiaí", 2, -2319, -4690), C("piracicaba", "piracicaba", 2, -2273, -4765),
            C("ribeirao preto", "ribeirão preto", 3, -2118, -4781), C("franca", "franca", 1, -2054, -4740),
            C("sao jose do rio preto", "são josé do rio preto", 2, -2081, -4938), C("aracatuba", "araçatuba", 1, -2121, -5043),
            C("bauru", "bauru", 2, -2232, -4907), C("marilia", "marília", 1, -2222, -4995), C("sorocaba", "sorocaba", 3, -2350, -4746),
            C("presidente prudente", "presidente prudente", 1, -2212, -5139),
        ]),
        new("RJ", 20000, 28999, -2291, -4317, 12852, 171, 90,
        [
            C("rio de janeiro", "rio de janeiro", 55, -2291, -4317), C("niteroi", "niterói", 8, -2288, -4310), C("sao goncalo", "são gonçalo", 6, -2283, -4305),
            C("duque de caxias", "duque de caxias", 6, -2279, -4331), C("petropolis", "petrópolis", 3, -2251, -4318),
            C("nova iguacu", "nova iguaçu", 6, -2276, -4345), C("volta redonda", "volta redonda", 3, -2252, -4410),
            C("campos dos goytacazes", "campos dos goytacazes", 3, -2175, -4132),
        ]),
        new("ES", 29000, 29999, -2032, -4031, 2033, 23, 25,
        [
            C("vitoria", "vitória", 30, -2032, -4031), C("vila velha", "vila velha", 25, -2033, -4029), C("cariacica", "cariacica", 15, -2026, -4042),
            C("serra", "serra", 20, -2013, -4031), C("guarapari", "guarapari", 5, -2067, -4050), C("colatina", "colatina", 3, -1954, -4063),
            C("linhares", "linhares", 3, -1939, -4007),
        ]),
        new("MG", 30000, 39999, -1992, -4394, 11635, 244, 140,
        [
            C("belo horizonte", "belo horizonte", 35, -1992, -4394), C("contagem", "contagem", 8, -1993, -4405), C("betim", "betim", 5, -1997, -4420),
            C("governador valadares", "governador valadares", 3, -1885, -4195), C("ipatinga", "ipatinga", 3, -1947, -4254),
            C("divinopolis", "divinópolis", 3, -2014, -4488), C("juiz de fora", "juiz de fora", 8, -2176, -4335), C("varginha", "varginha", 2, -2155, -4543),
            C("pocos de caldas", "poços de caldas", 3, -2179, -4656), C("uberaba", "uberaba", 4, -1975, -4793),
            C("uberlandia", "uberlândia", 8, -1892, -4828), C("montes claros", "montes claros", 4, -1673, -4386),
        ]),
        new("BA", 40000, 48999, -1297, -3850, 3380, 19, 60,
        [
            C("salvador", "salvador", 40, -1297, -3850), C("lauro de freitas", "lauro de freitas", 5, -1289, -3833), C("camacari", "camaçari", 5, -1270, -3832),
            C("feira de santana", "feira de santana", 10, -1227, -3897), C("vitoria da conquista", "vitória da conquista", 7, -1486, -4084),
            C("itabuna", "itabuna", 4, -1479, -3928), C("ilheus", "ilhéus", 4, -1479, -3905), C("barreiras", "barreiras", 3, -1215, -4500),
            C("juazeiro", "juazeiro", 4, -941, -4050),
        ]),
        new("SE", 49000, 49999, -1091, -3707, 350, 2, 7,
        [
            C("aracaju", "aracaju", 70, -1091, -3707), C("nossa senhora do socorro", "nossa senhora do socorro", 15, -1086, -3713),
            C("lagarto", "lagarto", 8, -1092, -3765), C("itabaiana", "itabaiana", 7, -1069, -3743),
        ]),
        new("PE", 50000, 56999, -805, -3488, 1652, 9, 30,
        [
            C("recife", "recife", 45, -805, -3488), C("olinda", "olinda", 10, -801, -3486), C("jaboatao dos guararapes", "jaboatão dos guararapes", 12, -811, -3501),
            C("caruaru", "caruaru", 8, -828, -3598), C("garanhuns", "garanhuns", 4, -889, -3649), C("petrolina", "petrolina", 8, -939, -4050),
        ]),
        new("AL", 57000, 57999, -967, -3574, 413, 0, 9,
        [
            C("maceio", "maceió", 70, -967, -3574), C("arapiraca", "arapiraca", 20, -975, -3666), C("palmeira dos indios", "palmeira dos índios", 10, -941, -3663),
        ]),
        new("PB", 58000, 58999, -712, -3485, 536, 6, 12,
        [
            C("joao pessoa", "joão pessoa", 55, -712, -3485), C("campina grande", "campina grande", 30, -723, -3588), C("patos", "patos", 8, -702, -3728),
            C("sousa", "sousa", 7, -676, -3823),
        ]),
        new("RN", 59000, 59999, -579, -3521, 485, 5, 10,
        [
            C("natal", "natal", 60, -579, -3521), C("parnamirim", "parnamirim", 15, -592, -3526), C("caico", "caicó", 5, -646, -3710),
            C("mossoro", "mossoró", 20, -519, -3734),
        ]),
        new("CE", 60000, 63999, -373, -3853, 1336, 13, 25,
        [
            C("fortaleza", "fortaleza", 60, -373, -3853), C("caucaia", "caucaia", 8, -374, -3866), C("maracanau", "maracanaú", 8, -388, -3863),
            C("sobral", "sobral", 8, -369, -4035), C("juazeiro do norte", "juazeiro do norte", 10, -721, -3932), C("crato", "crato", 6, -723, -3941),
        ]),
        new("PI", 64000, 64999, -509, -4280, 495, 1, 10,
        [
            C("teresina", "teresina", 65, -509, -4280), C("parnaiba", "parnaíba", 15, -290, -4178), C("picos", "picos", 10, -708, -4147),
            C("floriano", "floriano", 10, -677, -4302),
        ]),
        new("MA", 65000, 65999, -253, -4430, 747, 1, 15,
        [
            C("sao luis", "são luís", 50, -253, -4430), C("caxias", "caxias", 10, -486, -4336), C("timon", "timon", 10, -509, -4284),
            C("bacabal", "bacabal", 10, -423, -4478), C("imperatriz", "imperatriz", 20, -553, -4748),
        ]),
        new("PA", 66000, 68899, -146, -4849, 975, 1, 20,
        [
            C("belem", "belém", 50, -146, -4849), C("ananindeua", "ananindeua", 15, -137, -4837), C("santarem", "santarém", 10, -244, -5471),
            C("maraba", "marabá", 10, -537, -4912), C("castanhal", "castanhal", 8, -130, -4793),
        ]),
        new("AP", 68900, 68999, 3, -5107, 68, 0, 3,
        [
            C("macapa", "macapá", 80, 3, -5107), C("santana", "santana", 20, -6, -5117),
        ]),
        new("AM", 69000, 69299, -312, -6002, 148, 1, 6,
        [
            C("manaus", "manaus", 85, -312, -6002), C("itacoatiara", "itacoatiara", 7, -314, -5844), C("parintins", "parintins", 8, -263, -5674),
        ]),
        new("RR", 69300, 69399, 282, -6067, 46, 0, 3,
        [
            C("boa vista", "boa vista", 90, 282, -6067), C("rorainopolis", "rorainópolis", 10, 94, -6042),
        ]),
        new("AC", 69900, 69999, -997, -6782, 81, 1, 3,
        [
            C("rio branco", "rio branco", 80, -997, -6782), C("cruzeiro do sul", "cruzeiro do sul", 20, -763, -7267),
        ]),
        new("DF", 70000, 72799, -1579, -4788, 2140, 30, 12,
        [
            C("brasilia", "brasília", 55, -1579, -4788), C("taguatinga", "taguatinga", 15, -1583, -4806), C("ceilandia", "ceilândia", 15, -1582, -4811),
            C("gama", "gama", 8, -1602, -4806),
        ]),
        new("GO", 72800, 76799, -1669, -4926, 2020, 40, 35,
        [
            C("luziania", "luziânia", 7, -1625, -4795), C("goiania", "goiânia", 45, -1669, -4926), C("aparecida de goiania", "aparecida de goiânia", 15, -1682, -4925),
            C("anapolis", "anápolis", 15, -1633, -4895), C("rio verde", "rio verde", 8, -1780, -5093),
        ]),
        new("RO", 76800, 76999, -876, -6390, 253, 2, 6,
        [
            C("porto velho", "porto velho", 60, -876, -6390), C("ariquemes", "ariquemes", 10, -991, -6304), C("ji-parana", "ji-paraná", 20, -1088, -6195),
            C("vilhena", "vilhena", 10, -1274, -6015),
        ]),
        new("TO", 77000, 77999, -1025, -4832, 280, 0, 7,
        [
            C("palmas", "palmas", 50, -1025, -4832), C("gurupi", "gurupi", 20, -1173, -4907), C("araguaina", "araguaína", 30, -719, -4821),
        ]),
        new("MT", 78000, 78899, -1560, -5610, 907, 4, 15,
        [
            C("cuiaba", "cuiabá", 45, -1560, -5610), C("varzea grande", "várzea grande", 20, -1565, -5613), C("tangara da serra", "tangará da serra", 10, -1462, -5749),
            C("sinop", "sinop", 10, -1186, -5551), C("rondonopolis", "rondonópolis", 15, -1647, -5464),
        ]),
        new("MS", 79000, 79999, -2047, -5462, 715, 5, 13,
        [
            C("campo grande", "campo grande", 60, -2047, -5462), C("corumba", "corumbá", 10, -1901, -5765), C("tres lagoas", "três lagoas", 10, -2079, -5170),
            C("dourados", "dourados", 20, -2222, -5481),
        ]),
        new("PR", 80000, 87999, -2543, -4927, 5045, 349, 70,
        [
            C("curitiba", "curitiba", 40, -2543, -4927), C("sao jose dos pinhais", "são josé dos pinhais", 8, -2553, -4921),
            C("ponta grossa", "ponta grossa", 8, -2509, -5016), C("guarapuava", "guarapuava", 5, -2539, -5146), C("cascavel", "cascavel", 7, -2496, -5346),
            C("foz do iguacu", "foz do iguaçu", 6, -2555, -5459), C("londrina", "londrina", 12, -2331, -5116), C("maringa", "maringá", 10, -2342, -5194),
        ]),
        new("SC", 88000, 89999, -2760, -4855, 3637, 190, 50,
        [
            C("florianopolis", "florianópolis", 25, -2760, -4855), C("sao jose", "são josé", 8, -2761, -4863), C("itajai", "itajaí", 8, -2691, -4866),
            C("balneario camboriu", "balneário camboriú", 8, -2699, -4863), C("criciuma", "criciúma", 8, -2868, -4937),
            C("blumenau", "blumenau", 12, -2692, -4907), C("joinville", "joinville", 15, -2630, -4885), C("chapeco", "chapecó", 8, -2710, -5262),
        ]),
        new("RS", 90000, 99999, -3003, -5122, 5466, 129, 80,
        [
            C("porto alegre", "porto alegre", 35, -3003, -5122), C("canoas", "canoas", 8, -2992, -5118), C("sao leopoldo", "são leopoldo", 5, -2976, -5115),
            C("novo hamburgo", "novo hamburgo", 6, -2968, -5113), C("caxias do sul", "caxias do sul", 10, -2917, -5118),
            C("pelotas", "pelotas", 8, -3177, -5234), C("santa maria", "santa maria", 7, -2968, -5381), C("passo fundo", "passo fundo", 6, -2826, -5241),
        ]),
    ];

    /// <summary>
    /// Distinct zip prefixes per state for a wanted total: proportional to each state's prefix share, never more
    /// than its zip range holds (so the total can fall short of <paramref name="wanted"/> at very large scales).
    /// </summary>
    public static int[] AllocatePrefixes(long wanted)
    {
        var shares = States.Select(s => (double)s.PrefixShare).ToArray();
        var parts = SampleMath.Apportion(wanted, shares);
        var result = new int[States.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (int)Math.Min(parts[i], States[i].ZipCount);
        }

        return result;
    }

    /// <summary>Distance between two states' capitals in thousands of kilometres (equirectangular).</summary>
    public static double DistanceThousandKm(BrazilState a, BrazilState b)
    {
        const double KmPerDegree = 111.2;
        const double RadiansPerHundredth = Math.PI / 18000.0;
        var meanLatitude = (a.LatE2 + b.LatE2) * 0.5 * RadiansPerHundredth;
        var dLat = (a.LatE2 - b.LatE2) / 100.0;
        var dLng = (a.LngE2 - b.LngE2) / 100.0 * SampleMath.Cos(meanLatitude);
        return Math.Sqrt((dLat * dLat) + (dLng * dLng)) * KmPerDegree / 1000.0;
    }

    private static BrazilCity C(string name, string accented, int weight, int latE2, int lngE2) => new(name, accented, weight, latE2, lngE2);
}
