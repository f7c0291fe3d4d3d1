import java.io.File

plugins {
    id("com.android.application")
}

android {
    namespace = "dev.tandem.sample"
    compileSdk = 35

    defaultConfig {
        applicationId = "dev.tandem.sample"
        minSdk = 26
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_11
        targetCompatibility = JavaVersion.VERSION_11
    }

    buildTypes {
        release {
            // R8 reads the runtime's keep rules from its jar (META-INF/proguard/tandem-runtime.pro).
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"), "proguard-rules.pro")
        }
    }

    packaging {
        resources {
            excludes += setOf("META-INF/versions/9/module-info.class", "META-INF/LICENSE*", "META-INF/NOTICE*")
        }
    }
}

val onnxRuntimeVersion = "1.29.0"

dependencies {
    implementation("dev.tandem:tandem-runtime:0.1.0-SNAPSHOT")
    implementation("com.microsoft.onnxruntime:onnxruntime-android:$onnxRuntimeVersion")
    // For Qualcomm NPUs instead (QNN is then the first provider tried):
    // implementation("com.microsoft.onnxruntime:onnxruntime-android-qnn:$onnxRuntimeVersion")
}

/*
 * The edge model and its tokenizer are assets, never committed: this task copies them from a
 * reference workload build (`java -jar workload/target/tandem-workload.jar build` in the
 * repository root, docs/workload.md). It takes the build folder from -PtandemModels=DIR, else the
 * newest models/<key>/ under $TANDEM_CACHE or ~/.cache/tandem.
 */
val fetchEdgeModel by tasks.registering(Copy::class) {
    group = "tandem"
    description = "Copies the reference edge model and its tokenizer into the app's assets."
    val assets = layout.projectDirectory.dir("src/main/assets")
    val buildDir: File? = (findProperty("tandemModels") as String?)?.let { File(it) } ?: run {
        val cache = System.getenv("TANDEM_CACHE")?.let { File(it) }
            ?: File(System.getProperty("user.home"), ".cache/tandem")
        File(cache, "models").listFiles()
            ?.filter { File(it, "edge.onnx").isFile }
            ?.maxByOrNull { File(it, "edge.onnx").lastModified() }
    }
    doFirst {
        if (buildDir == null || !File(buildDir, "edge.onnx").isFile) {
            throw GradleException(
                "no reference edge model found: run `java -jar workload/target/tandem-workload.jar build` in the " +
                    "Tandem repository (docs/workload.md), or pass -PtandemModels=<folder with edge.onnx>")
        }
    }
    if (buildDir != null) {
        from(File(buildDir, "edge.onnx"))
        from(File(buildDir, "edge-tokenizer.json")) { rename { "tokenizer.json" } }
    }
    into(assets)
}

tasks.named("preBuild") {
    if (!file("src/main/assets/edge.onnx").isFile) {
        dependsOn(fetchEdgeModel)
    }
}
