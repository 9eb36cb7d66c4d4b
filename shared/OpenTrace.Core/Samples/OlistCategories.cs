namespace OpenTrace.Core.Samples;

/// <summary>A product category: the published Portuguese name and English translation, and how it is generated.</summary>
/// <param name="Name">Portuguese name as published, e.g. <c>cama_mesa_banho</c>.</param>
/// <param name="English">English name as published (typos included, e.g. <c>fashio_female_clothing</c>).</param>
/// <param name="Products">Share of products (about the published product count).</param>
/// <param name="MedianPrice">Median price in reais.</param>
/// <param name="MedianWeight">Median weight in grams.</param>
/// <param name="LateEffect">Log-odds added to the late-delivery chance, in tenths (bulky goods ship late more often).</param>
internal sealed record OlistCategory(string Name, string English, int Products, int MedianPrice, int MedianWeight, int LateEffect);

/// <summary>The 71 categories of the published translation file, in its order.</summary>
internal static class OlistCategories
{
    public static IReadOnlyList<OlistCategory> All { get; } =
    [
        new("beleza_saude", "health_beauty", 2444, 90, 500, -1),
        new("informatica_acessorios", "computers_accessories", 1639, 80, 600, 0),
        new("automotivo", "auto", 1900, 80, 900, 0),
        new("cama_mesa_banho", "bed_bath_table", 3029, 80, 1500, 1),
        new("moveis_decoracao", "furniture_decor", 2657, 90, 2500, 3),
        new("esporte_lazer", "sports_leisure", 2867, 80, 900, 0),
        new("perfumaria", "perfumery", 868, 90, 400, -2),
        new("utilidades_domesticas", "housewares", 2335, 60, 1000, 0),
        new("telefonia", "telephony", 1134, 40, 300, -1),
        new("relogios_presentes", "watches_gifts", 1329, 150, 400, -2),
        new("alimentos_bebidas", "food_drink", 104, 50, 800, 1),
        new("bebes", "baby", 919, 90, 1200, 0),
        new("papelaria", "stationery", 849, 50, 600, 0),
        new("tablets_impressao_imagem", "tablets_printing_image", 9, 70, 500, 0),
        new("brinquedos", "toys", 1411, 80, 800, 0),
        new("telefonia_fixa", "fixed_telephony", 116, 90, 500, 0),
        new("ferramentas_jardim", "garden_tools", 753, 80, 2000, 1),
        new("fashion_bolsas_e_acessorios", "fashion_bags_accessories", 849, 50, 400, -1),
        new("eletroportateis", "small_appliances", 231, 150, 3000, 1),
        new("consoles_games", "consoles_games", 317, 80, 500, 0),
        new("audio", "audio", 58, 100, 500, 0),
        new("fashion_calcados", "fashion_shoes", 173, 100, 800, 0),
        new("cool_stuff", "cool_stuff", 789, 120, 1000, 0),
        new("malas_acessorios", "luggage_accessories", 349, 120, 3000, 1),
        new("climatizacao", "air_conditioning", 124, 150, 3500, 2),
        new("construcao_ferramentas_construcao", "construction_tools_construction", 400, 90, 2500, 2),
        new("moveis_cozinha_area_de_servico_jantar_e_jardim", "kitchen_dining_laundry_garden_furniture", 94, 200, 8000, 4),
        new("construcao_ferramentas_jardim", "costruction_tools_garden", 88, 100, 2000, 1),
        new("fashion_roupa_masculina", "fashion_male_clothing", 95, 80, 400, -1),
        new("pet_shop", "pet_shop", 719, 60, 1500, 0),
        new("moveis_escritorio", "office_furniture", 309, 200, 12000, 5),
        new("market_place", "market_place", 104, 80, 1000, 0),
        new("eletronicos", "electronics", 517, 40, 400, -1),
        new("eletrodomesticos", "home_appliances", 370, 80, 2500, 2),
        new("artigos_de_festas", "party_supplies", 26, 60, 600, 0),
        new("casa_conforto", "home_confort", 148, 80, 2500, 1),
        new("construcao_ferramentas_ferramentas", "costruction_tools_tools", 39, 100, 2000, 1),
        new("agro_industria_e_comercio", "agro_industry_and_commerce", 74, 200, 5000, 2),
        new("moveis_colchao_e_estofado", "furniture_mattress_and_upholstery", 10, 150, 10000, 4),
        new("livros_tecnicos", "books_technical", 123, 60, 600, -1),
        new("casa_construcao", "home_construction", 225, 100, 3000, 2),
        new("instrumentos_musicais", "musical_instruments", 289, 150, 2000, 1),
        new("moveis_sala", "furniture_living_room", 156, 150, 8000, 4),
        new("construcao_ferramentas_iluminacao", "construction_tools_lights", 183, 70, 1500, 1),
        new("industria_comercio_e_negocios", "industry_commerce_and_business", 68, 150, 4000, 2),
        new("alimentos", "food", 210, 40, 600, 0),
        new("artes", "art", 55, 70, 1200, 0),
        new("moveis_quarto", "furniture_bedroom", 45, 200, 10000, 4),
        new("livros_interesse_geral", "books_general_interest", 216, 40, 400, -2),
        new("construcao_ferramentas_seguranca", "construction_tools_safety", 91, 100, 1500, 1),
        new("fashion_underwear_e_moda_praia", "fashion_underwear_beach", 53, 50, 200, -1),
        new("fashion_esporte", "fashion_sport", 19, 60, 300, -1),
        new("sinalizacao_e_seguranca", "signaling_and_security", 93, 80, 2000, 1),
        new("pcs", "computers", 30, 1100, 6000, 3),
        new("artigos_de_natal", "christmas_supplies", 128, 50, 800, 2),
        new("fashion_roupa_feminina", "fashio_female_clothing", 48, 60, 300, -1),
        new("eletrodomesticos_2", "home_appliances_2", 90, 400, 12000, 4),
        new("livros_importados", "books_imported", 31, 60, 500, -1),
        new("bebidas", "drinks", 140, 40, 1500, 1),
        new("cine_foto", "cine_photo", 28, 60, 500, 0),
        new("la_cuisine", "la_cuisine", 10, 150, 3000, 1),
        new("musica", "music", 27, 80, 800, 0),
        new("casa_conforto_2", "home_comfort_2", 5, 50, 1500, 0),
        new("portateis_casa_forno_e_cafe", "small_appliances_home_oven_and_coffee", 10, 500, 4000, 2),
        new("cds_dvds_musicais", "cds_dvds_musicals", 1, 50, 200, 0),
        new("dvds_blu_ray", "dvds_blu_ray", 48, 60, 200, 0),
        new("flores", "flowers", 14, 40, 600, 0),
        new("artes_e_artesanato", "arts_and_craftmanship", 19, 60, 600, 0),
        new("fraldas_higiene", "diapers_and_hygiene", 12, 60, 4000, 1),
        new("fashion_roupa_infanto_juvenil", "fashion_childrens_clothes", 5, 60, 300, 0),
        new("seguros_e_servicos", "security_and_services", 2, 150, 500, 0),
    ];
}
