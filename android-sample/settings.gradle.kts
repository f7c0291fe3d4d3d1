// The Tandem Android sample: open this folder in Android Studio (docs/android.md).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
        // tandem-runtime: `./mvnw -pl runtime -am install -DskipTests` in the repository root puts it here.
        mavenLocal {
            content { includeGroup("dev.tandem") }
        }
    }
}

rootProject.name = "tandem-android-sample"
include(":app")
