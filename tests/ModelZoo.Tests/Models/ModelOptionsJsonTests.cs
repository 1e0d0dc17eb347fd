using System.Text.Json;
using System.Text.Json.Serialization;
using ModelZoo.Blocks;

namespace ModelZoo.Tests.Models;

/// <summary>ModelOptions as checkpoints store it (System.Text.Json, camelCase, enums as strings).</summary>
[Category("Models")]
public class ModelOptionsJsonTests
{
    private static readonly JsonSerializerOptions Json = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return o;
    }

    [Test]
    public void JsonWrittenBeforeNullableDefaultsStillLoads()
    {
        // The shape of ModelOptions in checkpoints written before classes and channels became nullable.
        const string old = """{"numClasses":10,"inChannels":1,"dropout":null,"init":"he","smallInput":"auto","auxLogits":false,"trueInception5x5":false,"seed":42}""";
        var options = JsonSerializer.Deserialize<ModelOptions>(old, Json)!;
        Assert.That((options.NumClasses, options.InChannels, options.Init, options.Seed), Is.EqualTo(((int?)10, (int?)1, InitScheme.He, (long?)42)));
        Assert.That(options.Family, Is.Null, "no family options: ResNet's ZeroInitResidual is off");
        Assert.That(options.Layers, Is.Null);
    }

    [Test]
    public void LayersAreNotSerialisedAndUnsetValuesRoundTrip()
    {
        var options = new ModelOptions { Layers = LayerFactory.Default, Family = new ModelZoo.Models.ResNetOptions { ZeroInitResidual = true } };
        string json = JsonSerializer.Serialize(options, Json);
        Assert.That(json, Does.Not.Contain("layers"));
        var back = JsonSerializer.Deserialize<ModelOptions>(json, Json)!;
        Assert.That(back, Is.EqualTo(options with { Layers = null }));
        Assert.That(back.NumClasses, Is.Null, "unset stays unset: the card's default when rebuilt");
    }
}
